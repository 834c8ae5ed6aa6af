package serve

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadConfigErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		yaml, want string
	}{
		{"data: /x\nlisten: :1\nrules:\n  - a\nthrottle: 5\n", "tiercel.yaml:5: unknown key throttle"},
		{"retention:\n  age: 30d\n  size: 1\n", "tiercel.yaml:3: unknown key size"},
		{"retention:\n  age: soon\n", "tiercel.yaml:2:"},
		{"workers: many\n", "tiercel.yaml:1:"},
		{"actions:\n  - name: a\n    type: webhook\n    urll: x\n", "tiercel.yaml:4: unknown key urll"},
	}
	for _, tt := range tests {
		p := filepath.Join(dir, "tiercel.yaml")
		os.WriteFile(p, []byte(tt.yaml), 0o644)
		_, err := LoadConfig(p)
		if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, tt.want)) {
			t.Errorf("%q: %v, want %q", tt.yaml, err, tt.want)
		}
	}
	p := filepath.Join(dir, "ok.yaml")
	os.WriteFile(p, []byte("data: /d\nretention: {age: 7d, bytes: 1000}\nrule_settings:\n  - rule: T1590.005\n    throttleTimeSeconds: 300\n    throttleField: aid\n"), 0o644)
	c, err := LoadConfig(p)
	if err != nil || c.Retention.Age.Duration != 7*24*time.Hour || c.RuleConfig[0].ThrottleField != "aid" {
		t.Errorf("%+v %v", c, err)
	}
}

func TestConfigCheck(t *testing.T) {
	good := func() *Config {
		return &Config{Data: "d", IngestTokens: []IngestToken{{Name: "x", Token: "t"}}, APITokens: []string{"a"}}
	}
	tests := []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) {}, ""},
		{func(c *Config) { c.Data = "" }, "--data"},
		{func(c *Config) { c.APITokens = []string{"t"} }, "must differ"},
		{func(c *Config) { c.Actions = []ActionConfig{{Name: "a", Type: "pager"}} }, "want webhook"},
		{func(c *Config) { c.Scheduled = []Scheduled{{Name: "s", Query: "count()", Actions: []string{"nope"}}} }, `no action "nope"`},
		{func(c *Config) { c.Scheduled = []Scheduled{{Name: "s", Query: "count()", Schedule: "* * *"}} }, "5 fields"},
	}
	for _, tt := range tests {
		c := good()
		tt.mod(c)
		err := c.Check()
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("want %q, got %v", tt.want, err)
		}
	}
}

func TestCron(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 7, 30, 0, time.UTC) // a Thursday
	tests := []struct{ expr, want string }{
		{"*/5 * * * *", "2026-12-03T10:10:00Z"},
		{"0 * * * *", "2026-12-03T11:00:00Z"},
		{"30 9 * * 1-5", "2026-12-04T09:30:00Z"},
		{"0 0 1 * *", "2027-01-01T00:00:00Z"},
		{"15 10 * * 0", "2026-12-06T10:15:00Z"},
		{"15 10 * * 7", "2026-12-06T10:15:00Z"},
	}
	for _, tt := range tests {
		c, err := ParseCron(tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if got := c.Next(at).Format(time.RFC3339); got != tt.want {
			t.Errorf("%s: next %s, want %s", tt.expr, got, tt.want)
		}
	}
	for _, bad := range []string{"", "60 * * * *", "* * * *", "*/0 * * * *", "a * * * *", "5-1 * * * *"} {
		if _, err := ParseCron(bad); err == nil {
			t.Errorf("%q should not parse", bad)
		}
	}
}
