package cql

import (
	"strings"
	"testing"
)

// Narrow widths keep the inputs short; the layout rules do not depend on
// the width.
var layoutTests = []struct {
	name  string
	width int
	in    string
	want  string
}{
	{"short query unchanged", DefaultWidth, `a=1|groupBy(x,limit=10)`, "a = 1\n| groupBy(x, limit=10)"},
	{"and chain with a group", 40, `a=1 and b=2 and (c=3 or d=4 or eeeeeeeee=5 or ffffffffff=6)`, `a = 1
and b = 2
and (
  c = 3
  or d = 4
  or eeeeeeeee = 5
  or ffffffffff = 6
)`},
	{"or under and hangs deeper", 40, `#event_simpleName=ProcessRollup2 and ImageFileName=/cmd\.exe/ or ImageFileName=/powershell\.exe/`, `#event_simpleName = ProcessRollup2
and ImageFileName = /cmd\.exe/
  or ImageFileName = /powershell\.exe/`},
	{"negated group", 40, `!(aaaaaaaaaaaaa=1 or bbbbbbbbbbbbbbbbb=2 or ccccccccccccccc=3)`, `!(
  aaaaaaaaaaaaa = 1
  or bbbbbbbbbbbbbbbbb = 2
  or ccccccccccccccc = 3
)`},
	{"long literals stay whole", 30, `x=/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/ and y="bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"`, `x = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/
and y = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"`},
	{"arguments fill lines", 50, `a=1 | groupBy([ComputerName, UserName], function=[count(as=total), collect([CommandLine, ImageFileName]), max(@timestamp)])`, `a = 1
| groupBy([ComputerName, UserName],
    function=[count(as=total),
      collect([CommandLine, ImageFileName]),
      max(@timestamp)])`},
	{"long table hugs its array", DefaultWidth, `table([#event_simpleName, ComputerName, UserName, ImageFileName, CommandLine, DomainName, RemoteAddressIP4, RemotePort, ContextProcessName, DetectionBranch, @timestamp], limit=20000) | count()`, `table([#event_simpleName, ComputerName, UserName, ImageFileName, CommandLine, DomainName,
    RemoteAddressIP4, RemotePort, ContextProcessName, DetectionBranch, @timestamp], limit=20000)
| count()`},
	{"nested case", 50, `case { a=1 | case { b=2 or ccccccccccccccccccccc=3 or dddddddddddddddd=4 | x := 1; * | x := 2 }; * | drop(ImageFileName) }`, `case {
  a = 1
  | case {
    b = 2
    or ccccccccccccccccccccc = 3
    or dddddddddddddddd = 4
    | x := 1;
    * | x := 2
  };
  * | drop(ImageFileName)
}`},
	{"juxtaposed call keeps its line", 30, `a=1 in(field=x, values=[1, 2]) bbbbbbbbbbbb=2 ccccccccccc=3`, `a = 1 in(field=x,
  values=[1, 2]) bbbbbbbbbbbb = 2
ccccccccccc = 3`},
	{"comments around a wrapped step", 40, "// why\naaaaaaaaaaaa=1 and bbbbbbbbbbbbbbbbbbbbb=2 and ccccccccc=3 // note\n| count()", `// why
aaaaaaaaaaaa = 1
and bbbbbbbbbbbbbbbbbbbbb = 2
and ccccccccc = 3 // note
| count()`},
	{"long sub-query opens onto lines", 50, `defineTable(query={ createEvents(["aaaaaaaaaaaa"]) | split(ignoreDomainList) }, name="ignore", include=[x])`, `defineTable(query={
  createEvents(["aaaaaaaaaaaa"])
  | split(ignoreDomainList)
}, name="ignore", include=[x])`},
	{"match body steps", 40, `x match { "a" => y := "aaaaaaaaaaaaaaaaaaaa" | z := "bbbbbbbbbbbbbbbbb"; * => * }`, `x match {
  "a" => y := "aaaaaaaaaaaaaaaaaaaa"
    | z := "bbbbbbbbbbbbbbbbb";
  * => *
}`},
}

func TestLayout(t *testing.T) {
	for _, tt := range layoutTests {
		t.Run(tt.name, func(t *testing.T) {
			q, ds := Parse(tt.in)
			if ds.HasErrors() {
				t.Fatalf("parse: %s", messages(ds))
			}
			got := q.Format(tt.width)
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			checkFormat(t, q, tt.width)
		})
	}
}

// checkFormat asserts that q printed at width parses back to q and prints
// the same again.
func checkFormat(t *testing.T, q *Query, width int) {
	t.Helper()
	out := q.Format(width)
	q2, ds := Parse(out)
	if ds.HasErrors() {
		t.Fatalf("width %d: printed query has errors: %s\n%s", width, messages(ds), out)
	}
	if !Equal(q, q2) {
		t.Fatalf("width %d: round trip differs\nprinted:\n%s\nreprint:\n%s", width, out, q2.Format(width))
	}
	if again := q2.Format(width); again != out {
		t.Fatalf("width %d: not idempotent\nfirst:\n%s\nsecond:\n%s", width, out, again)
	}
}

func TestLayoutSeed(t *testing.T) {
	q, ds := Parse(seedQuery(t))
	if ds.HasErrors() {
		t.Fatalf("seed: %s", messages(ds))
	}
	head := "#event_simpleName = /^(ProcessRollup2|DnsRequest|NetworkConnectIP4)$/\n| case {\n" +
		"  #event_simpleName = \"ProcessRollup2\"\n" +
		"  and (\n" +
		"    ImageFileName = /(?i)(nmap|masscan|zmap|theharvester|amass|subfinder|spiderfoot|recon-ng)((\\.exe)?)$/\n" +
		"    or CommandLine = /(?i)(shodan\\s+search|censys\\s+search|nmap\\s+-s[nSp]|masscan\\s+--rate|zmap\\s+-p|theharvester\\s+-d|amass\\s+enum|subfinder\\s+-d|spiderfoot\\s+-s)/\n" +
		"  )\n"
	dns := "  #event_simpleName = \"DnsRequest\"\n" +
		"  and DomainName = /(?i)(shodan\\.io|censys\\.io|ipinfo\\.io|ipapi\\.co|ip-api\\.com|ipwhois\\.io|bgp\\.he\\.net|arin\\.net|ripe\\.net|apnic\\.net|lacnic\\.net|afrinic\\.net|spyse\\.com|fofa\\.info|zoomeye\\.org|dnsdumpster\\.com|hackertarget\\.com|viewdns\\.info|ipvoid\\.com|whatismyipaddress\\.com|ip2location\\.com|maxmind\\.com|greynoise\\.io|binaryedge\\.io|onyphe\\.io)/\n"
	tail := "| table([#event_simpleName, ComputerName, UserName, ImageFileName, CommandLine, DomainName,\n" +
		"    RemoteAddressIP4, RemotePort, ContextProcessName, DetectionBranch, @timestamp])\n" +
		"| sort(@timestamp, order=desc)"
	tests := []struct {
		name string
		q    *Query
		want string
	}{
		{"as written", q, head +
			"  => DetectionBranch := \"OSINTToolExecution\";\n" + dns +
			"  => DetectionBranch := \"IPIntelDNSLookup\";\n" +
			"  #event_simpleName = \"NetworkConnectIP4\"\n" +
			"  and RemotePort in [80, 443]\n" +
			"  and ContextProcessName = /(?i)(nmap|masscan|zmap|curl|wget|python[23]?|powershell)/\n" +
			"  => DetectionBranch := \"OSINTNetworkConnect\";\n" +
			"  * => drop()\n}\n" + tail},
		{"canonical", Canonicalize(q), head +
			"  | DetectionBranch := \"OSINTToolExecution\";\n" + dns +
			"  | DetectionBranch := \"IPIntelDNSLookup\";\n" +
			"  #event_simpleName = \"NetworkConnectIP4\"\n" +
			"  and in(field=RemotePort, values=[80, 443])\n" +
			"  and ContextProcessName = /(?i)(nmap|masscan|zmap|curl|wget|python[23]?|powershell)/\n" +
			"  | DetectionBranch := \"OSINTNetworkConnect\"\n}\n" + tail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.q.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			checkFormat(t, tt.q, DefaultWidth)
		})
	}
}

// TestLayoutWidths prints every grammar sample and corpus query at several
// widths: the output must parse back to the same tree and be stable, and
// output whose lines all fit must print as it does unwrapped.
func TestLayoutWidths(t *testing.T) {
	srcs := append([]string{}, roundTripQueries...)
	for _, r := range loadCorpus(t) {
		srcs = append(srcs, r.Query)
	}
	wrapped, over := 0, 0
	for _, src := range srcs {
		q, ds := Parse(src)
		if ds.HasErrors() {
			continue
		}
		for _, width := range []int{0, 24, 60, DefaultWidth} {
			checkFormat(t, q, width)
		}
		out, flat := q.Format(DefaultWidth), q.Format(0)
		if out != flat {
			wrapped++
			if longest(flat) <= DefaultWidth {
				t.Errorf("output that fits was re-laid out\nflat:\n%s\nwrapped:\n%s", flat, out)
			}
		}
		for line := range strings.Lines(out) {
			if len(strings.TrimRight(line, "\n")) > DefaultWidth {
				over++
			}
		}
	}
	t.Logf("%d of %d queries wrapped at width %d; %d lines still longer", wrapped, len(srcs), DefaultWidth, over)
}

func longest(s string) int {
	n := 0
	for line := range strings.Lines(s) {
		n = max(n, len(strings.TrimSuffix(line, "\n")))
	}
	return n
}

func TestFormatZeroWidthIsOneLinePerStep(t *testing.T) {
	q, ds := Parse(`a=1 and (bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=2 or ccccccccccccccccccccccccccccccccccccccccccccc=3) | count()`)
	if ds.HasErrors() {
		t.Fatal(messages(ds))
	}
	if got := strings.Count(q.Format(0), "\n"); got != 1 {
		t.Errorf("Format(0) has %d line breaks, want 1:\n%s", got, q.Format(0))
	}
	if got := strings.Count(q.String(), "\n"); got != 5 {
		t.Errorf("String() has %d line breaks, want 5:\n%s", got, q.String())
	}
}

// Deeply nested calls, arrays and groups wrap level by level and still
// round trip.
func TestLayoutDeepNesting(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("f(x, ", 60) + "1" + strings.Repeat(")", 60),
		"table(" + strings.Repeat("[a, ", 60) + "1" + strings.Repeat("]", 60) + ")",
		strings.Repeat("(a=1 or ", 60) + "b=2" + strings.Repeat(")", 60),
		"x := " + strings.Repeat("g(aaaaaaaa, ", 60) + "1" + strings.Repeat(")", 60),
	} {
		q, ds := Parse(src)
		if ds.HasErrors() {
			t.Fatalf("%.30q...: %s", src, messages(ds))
		}
		checkFormat(t, q, DefaultWidth)
	}
}
