package serve

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is everything `tiercel serve` runs with. A YAML file may set
// any of it (keys as in the yaml tags); flags override the file.
type Config struct {
	Data         string        `yaml:"data"`
	Listen       string        `yaml:"listen"`
	IngestTokens []IngestToken `yaml:"ingest_tokens"`
	APITokens    []string      `yaml:"api_tokens"`
	Rules        []string      `yaml:"rules"`
	Lookups      string        `yaml:"lookups"`
	Tunings      []string      `yaml:"tunings"`
	NoEnrich     bool          `yaml:"no_enrich"`
	Workers      int           `yaml:"workers"`

	MaxBodyBytes  int64 `yaml:"max_body_bytes"`
	MaxQueueBytes int64 `yaml:"max_queue_bytes"`

	Retention   Retention      `yaml:"retention"`
	Segments    SegmentConfig  `yaml:"segments"`
	Correlation CorrConfig     `yaml:"correlation"`
	Late        LateConfig     `yaml:"late_events"`
	RuleConfig  []RuleSettings `yaml:"rule_settings"`
	Scheduled   []Scheduled    `yaml:"scheduled_searches"`
	Actions     []ActionConfig `yaml:"actions"`
	Sources     SourcesConfig  `yaml:"sources"`
	LogLevel    string         `yaml:"log_level"`
	LogFormat   string         `yaml:"log_format"` // text or json
}

// IngestToken names the source a token stands for.
type IngestToken struct {
	Name  string `yaml:"name"`
	Token string `yaml:"token"`
}

// Retention bounds the event store.
type Retention struct {
	Age   Duration `yaml:"age"`   // e.g. 30d
	Bytes int64    `yaml:"bytes"` // on disk
}

// SegmentConfig bounds one segment.
type SegmentConfig struct {
	MaxBytes int64    `yaml:"max_bytes"`
	MaxAge   Duration `yaml:"max_age"`
}

// CorrConfig bounds cross-batch state for join()/correlate() rules.
type CorrConfig struct {
	Window   Duration `yaml:"window"`
	MaxBytes int64    `yaml:"max_bytes"`
}

// LateConfig bounds context events held for their process start.
type LateConfig struct {
	MaxEvents   int      `yaml:"max_events"`
	MaxLateness Duration `yaml:"max_lateness"`
}

// RuleSettings are LogScale alert settings for one rule.
type RuleSettings struct {
	Rule                  string   `yaml:"rule"`
	ThrottleTimeSeconds   int      `yaml:"throttleTimeSeconds"`
	ThrottleField         string   `yaml:"throttleField"`
	SearchIntervalSeconds int      `yaml:"searchIntervalSeconds"` // aggregating rules
	Schedule              string   `yaml:"schedule"`              // cron, aggregating rules
	TimeZone              string   `yaml:"timeZone"`
	Actions               []string `yaml:"actions"` // default: all actions
}

// Scheduled is a LogScale scheduled search: a query over the last
// searchIntervalSeconds of stored events, run on a cron schedule.
type Scheduled struct {
	Name                  string   `yaml:"name"`
	Query                 string   `yaml:"query"`
	Severity              string   `yaml:"severity"`
	SearchIntervalSeconds int      `yaml:"searchIntervalSeconds"`
	Schedule              string   `yaml:"schedule"`
	TimeZone              string   `yaml:"timeZone"`
	Actions               []string `yaml:"actions"`
}

// ActionConfig is one alert action.
type ActionConfig struct {
	Name     string            `yaml:"name"`
	Type     string            `yaml:"type"` // webhook, slack, file
	URL      string            `yaml:"url"`
	Headers  map[string]string `yaml:"headers"`
	Template string            `yaml:"template"`
	Path     string            `yaml:"path"`
}

// SourcesConfig lists the non-HTTP sources.
type SourcesConfig struct {
	FDR   []FDRConfig `yaml:"fdr"`
	S3SQS []S3Config  `yaml:"s3sqs"`
	Files []string    `yaml:"files"` // NDJSON files tailed
	Stdin bool        `yaml:"stdin"`
}

// FDRConfig is a local FDR tree to watch.
type FDRConfig struct {
	Dir  string   `yaml:"dir"`
	Poll Duration `yaml:"poll"`
}

// S3Config is an FDR feed: an SQS queue announcing batches in S3.
type S3Config struct {
	QueueURL    string   `yaml:"queue_url"`
	Region      string   `yaml:"region"`
	Endpoint    string   `yaml:"endpoint"`     // S3 endpoint override (S3-compatible stores)
	SQSEndpoint string   `yaml:"sqs_endpoint"` // SQS endpoint override
	AccessKey   string   `yaml:"access_key"`
	SecretKey   string   `yaml:"secret_key"`
	PathStyle   bool     `yaml:"path_style"`
	Wait        Duration `yaml:"wait"` // SQS long-poll wait (default 20s)
}

// Duration reads LogScale relative times ("30d", "5m") or Go durations.
type Duration struct{ time.Duration }

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	d.Duration = v
	return nil
}

// ParseDuration reads "30d", "15m", "2 hours" or a Go duration ("1h30m").
func ParseDuration(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	ms, err := relative(s)
	if err != nil {
		return 0, err
	}
	return time.Duration(ms) * time.Millisecond, nil
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

// LoadConfig reads a YAML config file. Every key must be known: an
// unknown or mistyped key is an error naming FILE:LINE.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, errEOF) || err.Error() == "EOF" {
			return &c, nil // empty file
		}
		return nil, configError(path, err)
	}
	return &c, nil
}

var errEOF = errors.New("EOF")

// configError rewrites yaml's "line N: msg" errors as "FILE:N: msg".
func configError(path string, err error) error {
	var out []string
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "yaml:"))
		if l == "" || l == "unmarshal errors:" {
			continue
		}
		if m := yamlLine.FindStringSubmatch(l); m != nil {
			msg := m[2]
			if f, ok := strings.CutPrefix(msg, "field "); ok {
				if name, _, ok := strings.Cut(f, " not found"); ok {
					msg = "unknown key " + name
				}
			}
			out = append(out, fmt.Sprintf("%s:%s: %s", path, m[1], msg))
			continue
		}
		out = append(out, path+": "+l)
	}
	return errors.New(strings.Join(out, "\n"))
}

// Check validates a merged config.
func (c *Config) Check() error {
	var errs []string
	if c.Data == "" {
		errs = append(errs, "--data DIR is required")
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if len(c.IngestTokens) == 0 {
		errs = append(errs, "at least one ingest token is required (--ingest-token)")
	}
	if len(c.APITokens) == 0 {
		errs = append(errs, "at least one API token is required (--api-token)")
	}
	for _, it := range c.IngestTokens {
		if it.Token == "" {
			errs = append(errs, fmt.Sprintf("ingest token %q is empty", it.Name))
		}
		for _, a := range c.APITokens {
			if a == it.Token {
				errs = append(errs, "an API token must differ from every ingest token")
			}
		}
	}
	names := map[string]bool{}
	for i, a := range c.Actions {
		if a.Name == "" {
			errs = append(errs, fmt.Sprintf("actions[%d]: name is required", i))
		}
		if names[a.Name] {
			errs = append(errs, fmt.Sprintf("actions: %q twice", a.Name))
		}
		names[a.Name] = true
		switch a.Type {
		case "webhook", "slack":
			if a.URL == "" {
				errs = append(errs, fmt.Sprintf("action %s: url is required", a.Name))
			}
		case "file":
			if a.Path == "" {
				errs = append(errs, fmt.Sprintf("action %s: path is required", a.Name))
			}
		default:
			errs = append(errs, fmt.Sprintf("action %s: type %q (want webhook, slack or file)", a.Name, a.Type))
		}
	}
	check := func(where string, acts []string) {
		for _, n := range acts {
			if !names[n] {
				errs = append(errs, fmt.Sprintf("%s: no action %q", where, n))
			}
		}
	}
	for _, r := range c.RuleConfig {
		check("rule_settings "+r.Rule, r.Actions)
		if r.Schedule != "" {
			if _, err := ParseCron(r.Schedule); err != nil {
				errs = append(errs, fmt.Sprintf("rule_settings %s: schedule: %v", r.Rule, err))
			}
		}
	}
	for i, q := range c.Sources.S3SQS {
		if q.QueueURL == "" {
			errs = append(errs, fmt.Sprintf("sources.s3sqs[%d]: queue_url is required", i))
		}
	}
	for _, s := range c.Scheduled {
		check("scheduled search "+s.Name, s.Actions)
		if s.Name == "" || s.Query == "" {
			errs = append(errs, "scheduled_searches: name and query are required")
		}
		if s.Schedule != "" {
			if _, err := ParseCron(s.Schedule); err != nil {
				errs = append(errs, fmt.Sprintf("scheduled search %s: schedule: %v", s.Name, err))
			}
		}
		if s.TimeZone != "" {
			if _, err := time.LoadLocation(s.TimeZone); err != nil {
				errs = append(errs, fmt.Sprintf("scheduled search %s: timeZone: %v", s.Name, err))
			}
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}
