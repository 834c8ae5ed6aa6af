package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const seedForCLI = `#event_simpleName = /^(ProcessRollup2|DnsRequest|NetworkConnectIP4)$/
| case {
    #event_simpleName = "ProcessRollup2"
    and (
      ImageFileName = /(?i)(nmap|masscan|zmap|theharvester|amass|subfinder|spiderfoot|recon-ng)((\.exe)?)$/
      or CommandLine = /(?i)(shodan\s+search|censys\s+search|nmap\s+-s[nSp]|masscan\s+--rate|zmap\s+-p|theharvester\s+-d|amass\s+enum|subfinder\s+-d|spiderfoot\s+-s)/
    )
    => DetectionBranch := "OSINTToolExecution";

    #event_simpleName = "DnsRequest"
    and DomainName = /(?i)(shodan\.io|censys\.io|ipinfo\.io)/
    => DetectionBranch := "IPIntelDNSLookup";

    #event_simpleName = "NetworkConnectIP4"
    and RemotePort in [80, 443]
    and ContextProcessName = /(?i)(nmap|masscan|zmap|curl|wget|python[23]?|powershell)/
    => DetectionBranch := "OSINTNetworkConnect";

    * => drop();
  }
| table([#event_simpleName, ComputerName, UserName, ImageFileName, CommandLine,
    DomainName, RemoteAddressIP4, RemotePort, ContextProcessName, DetectionBranch, @timestamp])
| sort(@timestamp, order=desc)`

const seedInput = `{"event_simpleName":"ProcessRollup2","timestamp":"1700000001000","ComputerName":"WS1","UserName":"bob","ImageFileName":"C:\\Tools\\nmap.exe","CommandLine":"nmap -sn 10.0.0.0/24"}
{"event_simpleName":"DnsRequest","timestamp":"1700000002000","ComputerName":"WS2","DomainName":"api.shodan.io"}
{"event_simpleName":"NetworkConnectIP4","timestamp":"1700000003000","ComputerName":"WS3","RemoteAddressIP4":"1.2.3.4","RemotePort":"443","ContextProcessName":"curl"}
{"event_simpleName":"NetworkConnectIP4","timestamp":"1700000004000","ComputerName":"WS3","RemoteAddressIP4":"1.2.3.4","RemotePort":"8443","ContextProcessName":"curl"}
{"event_simpleName":"ProcessRollup2","timestamp":"1700000005000","ImageFileName":"C:\\Tools\\nmap.exe.bak","CommandLine":"x"}
{"event_simpleName":"DnsRequest", "DomainName": shodan.io}
`

func TestSearchSeedJSON(t *testing.T) {
	dir := t.TempDir()
	data := writeTemp(t, dir, "events.jsonl", seedInput)
	code, stdout, stderr := runTiercel(t, "", "search", "--format", "json", "--workers", "2", seedForCLI, data)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	want := `{"#event_simpleName":"NetworkConnectIP4","ComputerName":"WS3","RemoteAddressIP4":"1.2.3.4","RemotePort":"443","ContextProcessName":"curl","DetectionBranch":"OSINTNetworkConnect","@timestamp":1700000003000}
{"#event_simpleName":"DnsRequest","ComputerName":"WS2","DomainName":"api.shodan.io","DetectionBranch":"IPIntelDNSLookup","@timestamp":1700000002000}
{"#event_simpleName":"ProcessRollup2","ComputerName":"WS1","UserName":"bob","ImageFileName":"C:\\Tools\\nmap.exe","CommandLine":"nmap -sn 10.0.0.0/24","DetectionBranch":"OSINTToolExecution","@timestamp":1700000001000}
`
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
	for _, s := range []string{"[dialect-case-arrow]", "[dialect-infix-in]", "[dialect-drop-event]",
		"malformed line", data + ":6"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
}

// Malformed lines are named in input order, whichever stage found them:
// line 2 passes the prefilter and fails only when decoded, after the read
// that found line 4 (the summary named line 4 first).
func TestSearchReportsMalformedLinesInOrder(t *testing.T) {
	dir := t.TempDir()
	data := writeTemp(t, dir, "events.jsonl", `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"7","ImageFileName":"\\Device\\curl.exe","timestamp":"1700000000000"}
{"event_simpleName":"DnsRequest","aid":"a1","ContextProcessId":"7","DomainName":"api.shodan.io","timestamp":"1700000000001", oops}
{"event_simpleName":"DnsRequest","aid":"a1","ContextProcessId":"7","DomainName":"api.shodan.io","timestamp":"1700000000002"}
{"event_simpleName":"SensorHeartbeat", broken
`)
	code, stdout, stderr := runTiercel(t, "", "search", "--format", "json", `DomainName=/shodan/ | table([DomainName, ContextProcessName])`, data)
	if code != ExitOK || stdout != `{"DomainName":"api.shodan.io","ContextProcessName":"curl.exe"}`+"\n" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	second, fourth := strings.Index(stderr, data+":2: invalid JSON"), strings.Index(stderr, data+":4: invalid JSON")
	if second < 0 || fourth < second || !strings.Contains(stderr, "2 malformed lines skipped (first: "+data+":2)") {
		t.Errorf("malformed lines not reported in input order:\n%s", stderr)
	}
}

func TestSearchExitCodes(t *testing.T) {
	dir := t.TempDir()
	var many strings.Builder
	for i := range 250 {
		fmt.Fprintf(&many, `{"event_simpleName":"DnsRequest","timestamp":"%d","DomainName":"d%d.example"}`+"\n", 1_700_000_000_000+i, i)
	}
	data := writeTemp(t, dir, "events.jsonl", many.String())
	tests := []struct {
		name      string
		args      []string
		stdin     string
		code      int
		stdoutHas string
		stderrHas []string
	}{
		{name: "no rows", args: []string{"search", "DomainName=nothing*", data}, code: ExitOK},
		{name: "stdin by default", args: []string{"search", "--format", "csv", "DomainName=d7.*|select([DomainName])"},
			stdin: seedInput + `{"DomainName":"d7.example"}` + "\n", code: ExitOK, stdoutHas: "d7.example"},
		{name: "syntax error with caret", args: []string{"search", "groupBy(x", data}, code: ExitError,
			stderrHas: []string{"query:1:", "^"}},
		{name: "unknown function", args: []string{"search", "gropBy(x)", data}, code: ExitError,
			stderrHas: []string{"[unknown-function]"}},
		{name: "strict rejects dialect", args: []string{"search", "--strict", seedForCLI, data}, code: ExitError,
			stderrHas: []string{"error:", "[dialect-case-arrow]"}},
		{name: "missing file", args: []string{"search", "x=1", filepath.Join(dir, "nope.jsonl")}, code: ExitError,
			stderrHas: []string{"nope.jsonl"}},
		{name: "bad format", args: []string{"search", "--format", "xml", "x=1", data}, code: ExitUsage},
		{name: "no query", args: []string{"search"}, code: ExitUsage},
		{name: "truncation warning", args: []string{"search", "--format", "json", "table([DomainName])", data}, code: ExitOK,
			stderrHas: []string{"warning: table(): 250 rows, only the first 200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runTiercel(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if !strings.Contains(stdout, tt.stdoutHas) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdoutHas, stdout)
			}
			checkStderr(t, stderr, tt.stderrHas, false)
		})
	}
}

func TestSearchParams(t *testing.T) {
	dir := t.TempDir()
	file := writeTemp(t, dir, "e.ndjson", `{"a":"foo","timestamp":"1700000000000"}`+"\n"+`{"a":"baz","timestamp":"1700000001000"}`+"\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"value given", []string{"--param", "x=baz", "a=?x | select([a])"}, ExitOK, `{"a":"baz"}` + "\n", ""},
		{"in array", []string{"--param", "x=foo", "in(a, values=[?x]) | select([a])"}, ExitOK, `{"a":"foo"}` + "\n", ""},
		{"default used", []string{"a=?{x=foo} | select([a])"}, ExitOK, `{"a":"foo"}` + "\n", ""},
		{"missing value", []string{"a=?x"}, ExitError, "", "--param x=VALUE"},
		{"bad flag", []string{"--param", "x", "a=?x"}, ExitUsage, "", "want NAME=VALUE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"search", "--no-enrich", "--format", "json"}, tt.args...)
			code := Main(append(args, file), strings.NewReader(""), &out, &errb)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errb.String())
			}
			if tt.stdout != "" && out.String() != tt.stdout {
				t.Errorf("stdout %q, want %q", out.String(), tt.stdout)
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", errb.String(), tt.stderr)
			}
		})
	}
}

// join() and defineTable() sub-queries make a pass over the input files
// before the search; search must let them re-read the files.
func TestSearchSubQueryPasses(t *testing.T) {
	dir := t.TempDir()
	lines := `{"a":"foo","ip":"10.1.2.3","timestamp":"1700000000000"}` + "\n" +
		`{"b":"foo","ip":"10.1.2.3","timestamp":"1700000001000"}` + "\n" +
		`{"a":"baz","ip":"192.168.0.1","timestamp":"1700000002000"}` + "\n"
	file := writeTemp(t, dir, "e.ndjson", lines)
	tests := []struct{ name, query, want string }{
		{"defineTable", `defineTable(name="t", query={b=foo}, include=[ip]) | a=* | match(table="t", field=ip) | select([a, ip])`,
			`{"a":"foo","ip":"10.1.2.3"}` + "\n"},
		{"join", `a=* | join(query={b=foo}, field=ip, include=[b]) | select([a, ip, b])`,
			`{"a":"foo","ip":"10.1.2.3","b":"foo"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main([]string{"search", "--no-enrich", "--format", "json", tt.query, file}, strings.NewReader(""), &out, &errb)
			if code != ExitOK || out.String() != tt.want {
				t.Errorf("exit %d, stdout %q, want %q; stderr: %s", code, out.String(), tt.want, errb.String())
			}
		})
	}
}

// Events exported as one JSON document (LogScale's API answering
// application/json, jq's pretty output) or as CSV give the rows their
// NDJSON gives, from a file or a pipe; a broken element is reported at the
// line it starts on and the others are read.
func TestSearchExportedEvents(t *testing.T) {
	var events []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(seedInput), "\n")[:5] {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
	}
	ndjson := strings.Join(strings.Split(strings.TrimSpace(seedInput), "\n")[:5], "\n") + "\n"
	oneLine, _ := json.Marshal(events)
	pretty, _ := json.MarshalIndent(events, "", "  ")
	var jq strings.Builder
	for _, ev := range events {
		b, _ := json.MarshalIndent(ev, "", "  ")
		jq.Write(b)
		jq.WriteString("\n")
	}
	dir := t.TempDir()
	_, want, stderr := runTiercel(t, "", "search", "--format", "json", seedForCLI, writeTemp(t, dir, "events.jsonl", ndjson))
	if strings.Count(want, "\n") != 3 {
		t.Fatalf("NDJSON gave %q, stderr:\n%s", want, stderr)
	}
	for name, doc := range map[string]string{"api.json": string(oneLine), "export.json": string(pretty), "jq.json": jq.String()} {
		path := writeTemp(t, dir, name, doc)
		for _, args := range [][]string{{path}, {"-"}} {
			stdin := ""
			if args[0] == "-" {
				stdin = doc
			}
			code, got, stderr := runTiercel(t, stdin, append([]string{"search", "--format", "json", seedForCLI}, args...)...)
			// the blank lines that keep elements on their lines are no events
			if code != ExitOK || got != want || strings.Contains(stderr, "malformed") || !strings.Contains(stderr, "from 5 events") {
				t.Errorf("%s %v: exit %d, rows:\n%s\nwant:\n%s\nstderr:\n%s", name, args, code, got, want, stderr)
			}
		}
	}

	// and as a CSV export: a header of Falcon field names, a row an event
	var header []string
	for _, ev := range events {
		for k := range ev {
			if !slices.Contains(header, k) {
				header = append(header, k)
			}
		}
	}
	var csvText strings.Builder
	cw := csv.NewWriter(&csvText)
	cw.Write(header)
	for _, ev := range events {
		row := make([]string, len(header))
		for i, k := range header {
			if v, ok := ev[k]; ok {
				row[i] = fmt.Sprint(v)
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	code, got, stderr := runTiercel(t, "", "search", "--format", "json", seedForCLI, writeTemp(t, dir, "export.csv", csvText.String()))
	if code != ExitOK || got != want || !strings.Contains(stderr, "from 5 events") {
		t.Errorf("CSV: exit %d, rows:\n%s\nwant:\n%s\nstderr:\n%s", code, got, want, stderr)
	}

	broken := strings.Replace(string(pretty), `"DomainName": "api.shodan.io"`, `"DomainName: "api.shodan.io"`, 1)
	path := writeTemp(t, dir, "broken.json", broken)
	lines := strings.Split(broken, "\n")
	start := 0 // the broken element's opening brace, a line from 1
	for i, l := range lines {
		if l == "  {" {
			start = i + 1
		}
		if strings.Contains(l, `"DomainName: `) {
			break
		}
	}
	code, got, stderr = runTiercel(t, "", "search", "--format", "json", `count()`, path)
	if code != ExitOK || got != `{"_count":"4"}`+"\n" || !strings.Contains(stderr, fmt.Sprintf("%s:%d: invalid JSON", path, start)) {
		t.Errorf("exit %d, rows %q, want the element at line %d reported; stderr:\n%s", code, got, start, stderr)
	}
}
