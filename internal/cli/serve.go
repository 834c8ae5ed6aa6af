package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/serve"
)

func init() { register(newServeCmd) }

type serveFlags struct {
	config       string
	data         string
	listen       string
	ingestTokens []string
	apiTokens    []string
	ruleDirs     []string
	lookups      string
	tunings      []string
	noEnrich     bool
	fdr          []string
	tail         []string
	stdin        bool
	workers      int
	logFormat    string
	logLevel     string
	kafka        kafkaFlags
	kafkaTopics  []string
	kafkaGroup   string
	alertTopic   string
	startAtEnd   bool
	postgres     string
}

func newServeCmd(env *Env) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Run the rules on incoming telemetry; store and deliver alerts",
		Long: "Takes Falcon telemetry over HTTP (LogScale ingest API and HEC), from FDR trees,\n" +
			"tailed NDJSON files or standard input; keeps it in DIR/events (searchable with\n" +
			"`tiercel search QUERY DIR`), runs every loaded rule on it as hunt does, stores\n" +
			"alerts in DIR/.tiercel/alerts.db and delivers them to the configured actions.\n" +
			"Ingest is answered 200 only once its events and alerts are durable. A YAML\n" +
			"--config may set everything; flags override it. SIGTERM or SIGINT drains and\n" +
			"stops. Exit 0 after a clean stop, 1 on a runtime error, 2 on a usage error.",
		Example: serveExamples,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.resolve(cmd)
			if err != nil {
				return withCode(ExitUsage, err)
			}
			if err := cfg.Check(); err != nil {
				return withCode(ExitUsage, err)
			}
			log := newLogger(env, cfg)
			if os.Getenv("GOMEMLIMIT") == "" {
				limit := cfg.MemoryLimit
				if limit <= 0 {
					limit = 400 << 20
				}
				startHeapTuner(limit, limit, false) // a fixed limit (and no other tuning, in a process that also searched)
			}
			progs, err := compileServeRules(env, cfg)
			if err != nil {
				return err
			}
			srv, err := serve.New(cfg, progs, log)
			if err != nil {
				return withCode(ExitError, err)
			}
			srv.UI = serveUI(cfg, srv, progs)
			srv.Stdin = env.Stdin
			if _, err := srv.Listen(); err != nil {
				return withCode(ExitError, err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := srv.Run(ctx); err != nil {
				return withCode(ExitError, err)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.config, "config", "", "read settings from YAML `FILE` (flags override it)")
	fs.StringVar(&f.data, "data", "", "data `DIR`: event store, alert store, checkpoints")
	fs.StringVar(&f.listen, "listen", "", "HTTP `ADDR` (default 127.0.0.1:8080)")
	fs.StringArrayVar(&f.ingestTokens, "ingest-token", nil, "ingest `TOKEN` (repeatable; the config file's ingest_tokens also name sources)")
	fs.StringArrayVar(&f.apiTokens, "api-token", nil, "API `TOKEN` for /api/alerts and /api/search (repeatable)")
	fs.StringArrayVar(&f.ruleDirs, "rules", nil, "also load rule packages from `DIR` (repeatable)")
	fs.StringVar(&f.lookups, "lookups", "", "`DIR` of lookup files read by match() in tunings")
	fs.StringArrayVar(&f.tunings, "tuning", nil, "switch on tuning `NAME` or RULE:NAME (repeatable)")
	fs.BoolVar(&f.noEnrich, "no-enrich", false, "do not add ComputerName, UserName, ContextProcessName...")
	fs.StringArrayVar(&f.fdr, "fdr", nil, "watch a local FDR tree `DIR` for new batches (repeatable)")
	fs.StringArrayVar(&f.tail, "tail", nil, "follow NDJSON `FILE` as it grows (repeatable)")
	fs.BoolVar(&f.stdin, "stdin", false, "also read NDJSON events from standard input")
	fs.IntVar(&f.workers, "workers", 0, "detection worker goroutines (0: one per core)")
	f.kafka.register(fs, "kafka-brokers")
	fs.StringArrayVar(&f.kafkaTopics, "kafka-topic", nil, "consume telemetry from Kafka `TOPIC` (repeatable; events keyed by aid)")
	fs.StringVar(&f.kafkaGroup, "kafka-group", "", "Kafka consumer `GROUP` the instances share")
	fs.BoolVar(&f.startAtEnd, "kafka-start-at-end", false, "a group with no committed offsets starts at the newest records")
	fs.StringVar(&f.alertTopic, "alert-topic", "", "also produce every new alert to Kafka `TOPIC`, keyed by alert id")
	fs.StringVar(&f.postgres, "postgres", "", "keep alerts in PostgreSQL (`DSN`) instead of DATA/.tiercel/alerts.db, e.g. shared by several instances")
	fs.StringVar(&f.logFormat, "log-format", "", "log format: text or json (default text)")
	fs.StringVar(&f.logLevel, "log-level", "", "log level: debug, info, warn or error (default info)")
	return cmd
}

// resolve merges the config file and the flags that were given.
func (f *serveFlags) resolve(cmd *cobra.Command) (*serve.Config, error) {
	cfg := &serve.Config{}
	if f.config != "" {
		c, err := serve.LoadConfig(f.config)
		if err != nil {
			return nil, err
		}
		cfg = c
	}
	set := func(name string) bool { return cmd.Flags().Changed(name) }
	if set("data") {
		cfg.Data = f.data
	}
	if set("listen") {
		cfg.Listen = f.listen
	}
	if set("ingest-token") {
		// The whole value is the token (tokens may hold '='); sources get
		// names in the config file's ingest_tokens.
		cfg.IngestTokens = nil
		for i, t := range f.ingestTokens {
			name := "default"
			if i > 0 {
				name = fmt.Sprintf("default%d", i+1)
			}
			cfg.IngestTokens = append(cfg.IngestTokens, serve.IngestToken{Name: name, Token: t})
		}
	}
	if set("api-token") {
		cfg.APITokens = f.apiTokens
	}
	if set("rules") {
		cfg.Rules = f.ruleDirs
	}
	if set("lookups") {
		cfg.Lookups = f.lookups
	}
	if set("tuning") {
		cfg.Tunings = f.tunings
	}
	if set("no-enrich") {
		cfg.NoEnrich = f.noEnrich
	}
	for _, d := range f.fdr {
		cfg.Sources.FDR = append(cfg.Sources.FDR, serve.FDRConfig{Dir: d})
	}
	cfg.Sources.Files = append(cfg.Sources.Files, f.tail...)
	if set("stdin") {
		cfg.Sources.Stdin = f.stdin
	}
	if set("workers") {
		cfg.Workers = f.workers
	}
	if set("kafka-brokers") {
		cfg.Kafka.Brokers = f.kafka.config().Brokers
	}
	if set("kafka-topic") {
		cfg.Kafka.Topics = f.kafkaTopics
	}
	if set("kafka-group") {
		cfg.Kafka.Group = f.kafkaGroup
	}
	if set("kafka-start-at-end") {
		cfg.Kafka.StartAtEnd = f.startAtEnd
	}
	if set("alert-topic") {
		cfg.Kafka.AlertTopic = f.alertTopic
	}
	if set("kafka-tls") {
		cfg.Kafka.TLS = f.kafka.tls
	}
	for flag, dst := range map[string]*string{"kafka-ca": &cfg.Kafka.CAFile, "kafka-cert": &cfg.Kafka.CertFile, "kafka-key": &cfg.Kafka.KeyFile,
		"kafka-sasl": &cfg.Kafka.SASLMechanism, "kafka-user": &cfg.Kafka.SASLUser, "kafka-password": &cfg.Kafka.SASLPassword} {
		if set(flag) {
			*dst = cmd.Flags().Lookup(flag).Value.String()
		}
	}
	if set("postgres") {
		cfg.AlertStore.Postgres = f.postgres
	}
	if set("log-format") {
		cfg.LogFormat = f.logFormat
	}
	if set("log-level") {
		cfg.LogLevel = f.logLevel
	}
	switch cfg.LogFormat {
	case "", "text", "json":
	default:
		return nil, fmt.Errorf("log format %q (want text or json)", cfg.LogFormat)
	}
	switch cfg.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		return nil, fmt.Errorf("log level %q (want debug, info, warn or error)", cfg.LogLevel)
	}
	return cfg, nil
}

func newLogger(env *Env, cfg *serve.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(env.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(env.Stderr, opts))
}

// compileServeRules loads and compiles the rules as hunt does.
func compileServeRules(env *Env, cfg *serve.Config) ([]*rules.Program, error) {
	set, loadErrs := rules.LoadSet(cfg.Rules)
	if len(loadErrs) > 0 {
		printLoadErrors(env.Stderr, loadErrs)
		return nil, withCode(ExitError, fmt.Errorf("%d rule problem(s)", len(loadErrs)))
	}
	if len(set) == 0 {
		return nil, withCode(ExitError, errors.New("no rules to run"))
	}
	perRule, err := assignTunings(set, cfg.Tunings)
	if err != nil {
		return nil, withCode(ExitUsage, err)
	}
	progs, _, err := compileRules(set, perRule, engine.Options{LookupDir: cfg.Lookups, Now: time.Now()})
	return progs, err
}
