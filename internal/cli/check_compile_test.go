package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// check compiles what the engine compiles: for each query, check and search
// agree on whether it runs, and check's JSON names the failing span.
func TestCheckCompilesAsTheEngine(t *testing.T) {
	dir := t.TempDir()
	events := writeTemp(t, dir, "e.ndjson", `{"#event_simpleName":"DnsRequest","DomainName":"shodan.io","ComputerName":"SOC-WS-01","aid":"a1"}`+"\n")
	lookups := filepath.Join(dir, "lookups")
	if code, _, stderr := runTiercel(t, "", "lookups", "init", lookups); code != ExitOK {
		t.Fatalf("lookups init: exit %d\n%s", code, stderr)
	}
	tests := []struct {
		name     string
		query    string
		lookups  bool
		code     string // "" when the query runs
		col, end int    // span of the error (1-based columns on line 1)
	}{
		{"valid regex", `DomainName=/shodan\.io/i | count()`, false, "", 0, 0},
		{"invalid regex literal", `DomainName=/shodan(/`, false, "invalid-regex", 12, 21},
		{"invalid regex argument", `replace(regex="(", with="x", field=DomainName)`, false, "invalid-regex", 15, 18},
		{"invalid regex in regex()", `regex("(?<x", field=DomainName)`, false, "invalid-regex", 0, 0},
		{"unknown time format directive", `formatTime("%Q", field=@timestamp, as=t)`, false, "invalid-argument", 12, 16},
		{"lookup column missing", `match(file="soc_analyst_hosts.csv", field=Host, column=Hostname)`, true, "invalid-argument", 49, 64},
		{"lookup file missing", `match(file="nope.csv", field=ComputerName)`, true, "invalid-argument", 7, 22},
		{"lookup present", `match(file="soc_analyst_hosts.csv", field=ComputerName)`, true, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"check", "--json"}
			sargs := []string{"search", "--format", "json"}
			if tt.lookups {
				args = append(args, "--lookups", lookups)
				sargs = append(sargs, "--lookups", lookups)
			}
			code, stdout, stderr := runTiercel(t, "", append(args, tt.query)...)
			scode, _, sstderr := runTiercel(t, "", append(sargs, tt.query, events)...)
			if (code == ExitOK) != (scode == ExitOK) {
				t.Errorf("check exit %d but search exit %d\ncheck: %s\nsearch: %s", code, scode, stdout, sstderr)
			}
			var doc struct {
				OK          bool
				Diagnostics []struct {
					Code        string
					Col, EndCol int
				}
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatalf("check --json: %v\n%s%s", err, stdout, stderr)
			}
			if tt.code == "" {
				if !doc.OK || code != ExitOK {
					t.Errorf("check rejected a runnable query: %s", stdout)
				}
				return
			}
			if doc.OK || len(doc.Diagnostics) == 0 {
				t.Fatalf("check accepted what search rejects: %s\nsearch: %s", stdout, sstderr)
			}
			d := doc.Diagnostics[0]
			if d.Code != tt.code {
				t.Errorf("code %q, want %q", d.Code, tt.code)
			}
			if tt.col > 0 && (d.Col != tt.col || d.EndCol != tt.end) {
				t.Errorf("span %d-%d, want %d-%d", d.Col, d.EndCol, tt.col, tt.end)
			}
		})
	}
}

// Without --lookups, match() files are not read but the rest is compiled;
// ?params without a value are compiled with a placeholder so an error after
// them is still found; $saved() without --saved is not an error (design §3).
func TestCheckCompileWithoutInputs(t *testing.T) {
	tests := []struct {
		query string
		code  int
		has   string
	}{
		{`match(file="anything.csv", field=ComputerName) | DomainName=/(/`, ExitError, "[invalid-regex]"},
		{`match(file="anything.csv", field=ComputerName)`, ExitOK, ""},
		{`ComputerName=?host | head(?n) | DomainName=/(/`, ExitError, "[invalid-regex]"},
		{`ComputerName=?host | head(?n)`, ExitOK, ""},
		{`$recon()`, ExitOK, ""},
	}
	for _, tt := range tests {
		code, stdout, stderr := runTiercel(t, "", "check", tt.query)
		if code != tt.code || !strings.Contains(stderr, tt.has) {
			t.Errorf("check %s: exit %d (want %d)\n%s%s", tt.query, code, tt.code, stdout, stderr)
		}
	}
}

// Each failing step is reported, not only the first.
func TestCheckReportsEachCompileError(t *testing.T) {
	q := "DomainName=/shodan(/\n| formatTime(\"%Q\", field=@timestamp, as=t)\n| replace(regex=\"[\", with=\"x\", field=CommandLine)\n| count()"
	code, stdout, stderr := runTiercel(t, "", "check", "--json", q)
	var doc struct {
		Diagnostics []struct {
			Code string
			Line int
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != ExitError {
		t.Fatalf("exit %d: %v\n%s%s", code, err, stdout, stderr)
	}
	var got []string
	for _, d := range doc.Diagnostics {
		got = append(got, fmt.Sprintf("%d:%s", d.Line, d.Code))
	}
	if want := []string{"1:invalid-regex", "2:invalid-argument", "3:invalid-regex"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("diagnostics %v, want %v", got, want)
	}
}
