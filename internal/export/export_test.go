package export

import (
	"fmt"
	"strings"
	"testing"
)

// TestRefusals: what a target cannot express is an error naming the
// construct and its line, never a silently different query.
func TestRefusals(t *testing.T) {
	cases := []struct {
		name, query, target, want string
	}{
		{"lookup", "#event_simpleName=ProcessRollup2 | match(file=\"x.csv\", field=aid)", "spl",
			"q.cql:1:36: cannot export: function match() is not in the exported subset"},
		{"free text", "#event_simpleName=ProcessRollup2 mimikatz", "kql",
			"q.cql:1:34: cannot export: free-text search mimikatz is not exported"},
		{"no event type", "CommandLine=/whoami/i", "esql",
			"does not restrict #event_simpleName to named event types"},
		{"unlistable event types", "#event_simpleName=/Process/ CommandLine=/x/", "spl",
			"q.cql:1:1: cannot export: cannot list the event types matched by /Process/"},
		{"assignment", "#event_simpleName=ProcessRollup2 | x := lower(CommandLine)", "kql",
			"step \"x := lower(CommandLine)\" is not in the exported subset"},
		{"sigma unmapped field", "#event_simpleName=ProcessRollup2 aid=abc", "sigma",
			"q.cql:1:34: cannot export to sigma: field aid has no Sigma field in category process_creation"},
		{"sigma device path start", "#event_simpleName=ProcessRollup2 ImageFileName=/^C:/", "sigma",
			"compares the start of a \\Device\\HarddiskVolumeN path"},
		{"sigma base-name regex", "#event_simpleName=DnsRequest ContextProcessName=/a.b/", "sigma",
			"regex /a.b/ on the file name ContextProcessName cannot be rewritten exactly"},
		{"sigma groupBy", "#event_simpleName=DnsRequest | groupBy(ComputerName)", "sigma",
			"a Sigma correlation needs a timespan: use bucket(span=...)"},
		{"kql lookaround", "#event_simpleName=ProcessRollup2 CommandLine=/a(?=b)/", "kql",
			"is not RE2, which KQL's matches regex requires"},
		{"kql unmapped column", "#event_simpleName=DnsRequest CommandLine=x", "kql",
			"field CommandLine has no column in DeviceEvents"},
		{"kql unknown event type", "#event_simpleName=RegGenericValueUpdate", "kql",
			"event type RegGenericValueUpdate has no Defender XDR table"},
		{"esql inner anchor", "#event_simpleName=ProcessRollup2 CommandLine=/(^|x)y/", "esql",
			"an anchor inside the pattern has no RLIKE equivalent"},
		{"esql mixed case", "#event_simpleName=ProcessRollup2 CommandLine=/(?i:a)B/", "esql",
			"mixes case-sensitive and case-insensitive parts"},
		{"esql word boundary", "#event_simpleName=ProcessRollup2 CommandLine=/\\bnet\\b/", "esql",
			`\b has no RLIKE equivalent`},
		{"parse error", "#event_simpleName=ProcessRollup2 | case {", "spl",
			"q.cql:1:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := Query("q.cql", c.query, Meta{RuleID: "q"}, c.target)
			if err == nil {
				t.Fatalf("exported instead of refusing:\n%s", out.Text)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q lacks %q", err, c.want)
			}
		})
	}
}

// TestLowerSeedLegs: the seed's case becomes three legs, one per event
// type, with the event-type tests folded away.
func TestLowerSeedLegs(t *testing.T) {
	d, err := Lower("seed.cql", `#event_simpleName = /^(ProcessRollup2|DnsRequest|NetworkConnectIP4)$/
| case {
    #event_simpleName = "ProcessRollup2" and (ImageFileName = /nmap$/ or CommandLine = /x/) => DetectionBranch := "A";
    #event_simpleName = "DnsRequest" and DomainName = /shodan/ => DetectionBranch := "B";
    #event_simpleName = "NetworkConnectIP4" and RemotePort in [80, 443] => DetectionBranch := "C";
    * => drop();
  }
| DetectionBranch != "B"
| table([ComputerName, DetectionBranch])`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, lg := range d.Legs {
		got = append(got, lg.EventType+"/"+lg.Branch)
	}
	// The filter after the case folds on the assigned value and removes B.
	if strings.Join(got, ",") != "ProcessRollup2/A,NetworkConnectIP4/C" {
		t.Fatalf("legs %v", got)
	}
	if strings.Join(d.EventTypes, ",") != "ProcessRollup2,DnsRequest,NetworkConnectIP4" || d.AssignField != "DetectionBranch" {
		t.Fatalf("event types %v, assign %q", d.EventTypes, d.AssignField)
	}
	if _, ok := d.Legs[0].Cond.(Or); !ok {
		t.Fatalf("ProcessRollup2 leg is %#v, want the OR of its two regexes", d.Legs[0].Cond)
	}
}

// TestCaseOrder: a later clause excludes what an earlier one took, as the
// first matching clause wins in CQL.
func TestCaseOrder(t *testing.T) {
	out, err := Query("q.cql", `#event_simpleName=ProcessRollup2
| case { CommandLine=/a/ | B := "first"; UserName=root | B := "second" }`, Meta{RuleID: "q"}, "sigma")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Text, "condition: selection_user and not filter_commandline") {
		t.Fatalf("second rule does not exclude the first clause:\n%s", out.Text)
	}
}

func TestRegexLiterals(t *testing.T) {
	cases := []struct {
		re, flags  string
		ok         bool
		lits       string
		start, end bool
		fold       bool
	}{
		{`(?i)(nmap|masscan)((\.exe)?)$`, "", true, "nmap,nmap.exe,masscan,masscan.exe", false, true, true},
		{`(?i)(curl|python[23]?)`, "", true, "curl,python", false, false, true},
		{`^(ProcessRollup2|DnsRequest)$`, "", true, "ProcessRollup2,DnsRequest", true, true, false},
		{`shodan\.io`, "i", true, "shodan.io", false, false, true},
		{`a\s+b`, "", false, "", false, false, false},
		{`(?i:a)B`, "", false, "", false, false, false}, // partly case-sensitive
		{`x|`, "", false, "", false, false, false},      // matches everything
		{`a\tb`, "", false, "", false, false, false},    // control characters stay regexes
	}
	for _, c := range cases {
		set, ok := regexLiterals(c.re, c.flags)
		if ok != c.ok {
			t.Errorf("/%s/%s: ok=%v, want %v (%v)", c.re, c.flags, ok, c.ok, set.lits)
			continue
		}
		if !ok {
			continue
		}
		if got := strings.Join(set.lits, ","); got != c.lits || set.anchoredStart != c.start || set.anchoredEnd != c.end || set.fold != c.fold {
			t.Errorf("/%s/%s: %s start=%v end=%v fold=%v", c.re, c.flags, got, set.anchoredStart, set.anchoredEnd, set.fold)
		}
	}
}

func TestLuceneRegex(t *testing.T) {
	cases := []struct{ re, flags, want string }{
		{`(?i)Nmap\.exe$`, "", `.*nmap\.exe`},
		{`^a.b`, "", "a[^\n]b.*"},
		{`^a.b`, "d", "a.b.*"},
		{`x[^a-c]y`, "", `.*x[^a-c]y.*`},
		{`a{2,3}(bc)+`, "", `.*a{2,3}(bc)+.*`},
		{`q"r@s#-t`, "", `.*q\"r\@s\#-t.*`},
		{`(?i)(curl|python[23]?)`, "", `.*(curl|python).*`},
		{`x+[-a]`, "", `.*x+[\-a].*`},
	}
	for _, c := range cases {
		got, err := luceneRegex(c.re, c.flags)
		if err != nil {
			t.Errorf("/%s/: %v", c.re, err)
			continue
		}
		if got.re != c.want {
			t.Errorf("/%s/%s → %q, want %q", c.re, c.flags, got.re, c.want)
		}
	}
}

func TestSigmaEscape(t *testing.T) {
	cases := map[string]string{
		`a*b`:          `a\*b`,
		`what?`:        `what\?`,
		`\Windows\`:    `\Windows\\`,
		`C:\a\*`:       `C:\a\\\*`,
		`\\server\x`:   `\\\server\x`,
		`plain-string`: `plain-string`,
	}
	for in, want := range cases {
		if got := sigmaEscape(in); got != want {
			t.Errorf("sigmaEscape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStableID(t *testing.T) {
	a, b := stableID("rule", "A"), stableID("rule", "A")
	if a != b || a == stableID("rule", "B") {
		t.Fatalf("ids not stable per (rule, branch): %s %s", a, b)
	}
	if len(a) != 36 || a[14] != '5' || !strings.ContainsRune("89ab", rune(a[19])) {
		t.Fatalf("%s is not a version-5 RFC 9562 UUID", a)
	}
}

// A long AND or OR is written as nested halves: no group of parentheses
// joins more than 32 operands (maxFlatOperands), so a parser's nesting grows
// with the log of their number (Kusto would not analyse 250 alternatives
// in a row), every operand kept in order.
func TestLongConditionsNestShallow(t *testing.T) {
	var terms []string
	for i := range 100 {
		terms = append(terms, fmt.Sprintf("CommandLine=*word%03d*", i))
	}
	q := "#event_simpleName=ProcessRollup2 (" + strings.Join(terms, " or ") + ")"
	for _, target := range []string{"kql", "spl", "esql"} {
		out, err := Query("long.cql", q, Meta{RuleID: "long"}, target)
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		ors := []int{0} // operators joined in each open group
		text := strings.ToLower(out.Text)
		for i := 0; i < len(text); i++ {
			switch {
			case text[i] == '(':
				ors = append(ors, 0)
			case text[i] == ')' && len(ors) > 1:
				if n := ors[len(ors)-1]; n >= 32 {
					t.Fatalf("%s: a group joins %d operands", target, n+1)
				}
				ors = ors[:len(ors)-1]
			case strings.HasPrefix(text[i:], " or "):
				ors[len(ors)-1]++
			}
		}
		last := -1
		for i := range 100 {
			at := strings.Index(out.Text, fmt.Sprintf("word%03d", i))
			if at <= last {
				t.Fatalf("%s: alternative %d missing or out of order", target, i)
			}
			last = at
		}
	}
}
