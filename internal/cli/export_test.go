package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	good := writeTemp(t, dir, "hunt.cql", "#event_simpleName=DnsRequest DomainName=/shodan\\.io/i\n| table([ComputerName, DomainName])\n")
	bad := writeTemp(t, dir, "bad.cql", "#event_simpleName=DnsRequest\n| match(file=\"x.csv\", field=aid)\n")
	cases := []struct {
		name       string
		args       []string
		code       int
		stdout     []string
		stderr     []string
		emptyStdio bool
	}{
		{"shipped rule to sigma", []string{"export", "--to", "sigma", "T1590.005"}, ExitOK,
			[]string{"logsource:\n    category: dns_query", "attack.t1590.005", "Image|endswith:"},
			[]string{"warning: tuning soc-analyst-hosts"}, false},
		{"file to kql", []string{"export", "--to", "kql", good}, ExitOK,
			[]string{"DeviceEvents\n| where ActionType == \"DnsQueryResponse\"", `DnsQueryString matches regex @"(?i)shodan\.io"`}, nil, false},
		{"file to esql", []string{"export", "--to", "esql", good}, ExitOK,
			[]string{`TO_LOWER(dns.question.name) RLIKE ".*shodan\\.io.*"`, "| KEEP host.name, dns.question.name"}, nil, false},
		{"inexpressible", []string{"export", "--to", "spl", bad}, ExitError,
			nil, []string{"bad.cql:2:3: cannot export: function match() is not in the exported subset"}, true},
		{"unknown target", []string{"export", "--to", "eql", good}, ExitUsage,
			nil, []string{"--to must be one of sigma, spl, kql, esql"}, true},
		{"unknown rule", []string{"export", "--to", "spl", "T9999"}, ExitUsage,
			nil, []string{`no rule "T9999"`}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runTiercel(t, "", c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, c.code, stderr)
			}
			for _, s := range c.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			if c.emptyStdio && stdout != "" {
				t.Errorf("stdout not empty: %s", stdout)
			}
			checkStderr(t, stderr, c.stderr, false)
		})
	}
	t.Run("output file", func(t *testing.T) {
		out := filepath.Join(dir, "q.spl")
		code, stdout, _ := runTiercel(t, "", "export", "--to", "spl", "-o", out, good)
		data, err := os.ReadFile(out)
		if code != ExitOK || stdout != "" || err != nil || !strings.Contains(string(data), `sourcetype="crowdstrike:events:sensor"`) {
			t.Fatalf("exit %d, stdout %q, file %q, %v", code, stdout, data, err)
		}
	})
}

func TestShowHasOtherPlatforms(t *testing.T) {
	code, stdout, _ := runTiercel(t, "", "show", "--format", "markdown", "T1590.005")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, s := range []string{"## Other platforms", "Download portable Sigma rule (.yml): `rules/T1590.005-ip-address-recon/exports/t1590_005_ip_address_recon.yml`", "```esql\n"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("show lacks %q", s)
		}
	}
}
