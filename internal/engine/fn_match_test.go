package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// lookupDir writes files (name → content) into a fresh directory.
func lookupDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runWithLookups(t *testing.T, src string, files map[string]string, events []*event.Event) []string {
	t.Helper()
	p := compileQuery(t, src, Options{LookupDir: lookupDir(t, files)})
	rows, _ := p.Run(events)
	out := []string{}
	for _, r := range rows {
		out = append(out, row(r))
	}
	return out
}

const docTable12 = "column1,column2,column3\na,b,d\nc,d,a\nc,e,f"
const docTable13 = "column1,column2,column3\nc,b,a\na,b,d\nc,d,a\nc,e,f"

func TestMatch(t *testing.T) {
	hosts := "ComputerName,Owner\nSOC-WS-01,alice\nSOC-WS-02,bob\n"
	tests := []struct {
		name   string
		query  string
		files  map[string]string
		events []*event.Event
		want   []string
	}{
		{
			name:   "spec §12 example 12: paired fields and columns, strict drops the miss",
			query:  "match(test.csv, field=[field1, field2], column=[column1, column2])",
			files:  map[string]string{"test.csv": docTable12},
			events: []*event.Event{ev("field1", "c", "field2", "f"), ev("field1", "c", "field2", "e")},
			want:   []string{"field1=c field2=e column3=f"},
		},
		{
			name:   "spec §12 example 13: nrows=2 gives the last two matching rows, later first",
			query:  "match(test.csv, field=field1, column=column1, nrows=2)",
			files:  map[string]string{"test.csv": docTable13},
			events: []*event.Event{ev("field1", "c")},
			want:   []string{"field1=c column2=e column3=f", "field1=c column2=d column3=a"},
		},
		{
			name:   "example 13 with nrows=max: every matching row",
			query:  "match(test.csv, field=field1, column=column1, nrows=max)",
			files:  map[string]string{"test.csv": docTable13},
			events: []*event.Event{ev("field1", "c")},
			want:   []string{"field1=c column2=e column3=f", "field1=c column2=d column3=a", "field1=c column2=b column3=a"},
		},
		{
			name:   "nrows=1 (default): the last matching row wins",
			query:  "match(file=\"test.csv\", field=field1, column=column1)",
			files:  map[string]string{"test.csv": docTable13},
			events: []*event.Event{ev("field1", "c"), ev("field1", "a"), ev("field1", "z")},
			want:   []string{"field1=c column2=e column3=f", "field1=a column2=b column3=d"},
		},
		{
			name:   "column defaults to field; the key column is not added",
			query:  "match(file=\"hosts.csv\", field=ComputerName)",
			files:  map[string]string{"hosts.csv": hosts},
			events: []*event.Event{ev("ComputerName", "SOC-WS-02")},
			want:   []string{"ComputerName=SOC-WS-02 Owner=bob"},
		},
		{
			name:   "strict=false keeps events without a match, unchanged",
			query:  "match(file=\"hosts.csv\", field=ComputerName, strict=false)",
			files:  map[string]string{"hosts.csv": hosts},
			events: []*event.Event{ev("ComputerName", "WKS-1"), ev("ComputerName", "SOC-WS-01"), ev("other", "x")},
			want:   []string{"ComputerName=WKS-1", "ComputerName=SOC-WS-01 Owner=alice", "other=x"},
		},
		{
			name:   "negated: drops matching events, keeps the rest and events lacking the field",
			query:  "!match(file=\"hosts.csv\", field=ComputerName, column=ComputerName, strict=true)",
			files:  map[string]string{"hosts.csv": hosts},
			events: []*event.Event{ev("ComputerName", "WKS-1"), ev("ComputerName", "SOC-WS-01"), ev("other", "x")},
			want:   []string{"ComputerName=WKS-1", "other=x"},
		},
		{
			name:   "include limits the added columns",
			query:  "match(test.csv, field=field1, column=column1, include=[column3])",
			files:  map[string]string{"test.csv": docTable13},
			events: []*event.Event{ev("field1", "a")},
			want:   []string{"field1=a column3=d"},
		},
		{
			name:   "case-sensitive by default; ignoreCase=true folds both sides",
			query:  "match(file=\"hosts.csv\", field=host, column=ComputerName, include=Owner) | match(file=\"hosts.csv\", field=host2, column=ComputerName, ignoreCase=true, include=Owner, strict=false)",
			files:  map[string]string{"hosts.csv": hosts},
			events: []*event.Event{ev("host", "soc-ws-01"), ev("host", "SOC-WS-01", "host2", "soc-ws-02")},
			want:   []string{"host=SOC-WS-01 host2=soc-ws-02 Owner=bob"},
		},
		{
			name:  "mode=glob: column values are anchored wildcard patterns",
			query: "match(file=\"prefixes.csv\", field=CommandLine, column=Prefix, mode=glob)",
			files: map[string]string{"prefixes.csv": "Prefix,Kind\n/opt/soar/*,soar\n*\\enrich.ps1 *,ps\n"},
			events: []*event.Event{
				ev("CommandLine", "/opt/soar/run.py --ip 1.2.3.4"),
				ev("CommandLine", "python /opt/soar/run.py"),
				ev("CommandLine", `powershell -File C:\x\enrich.ps1 -Ip 1`),
			},
			want: []string{"CommandLine=/opt/soar/run.py --ip 1.2.3.4 Kind=soar", `CommandLine=powershell -File C:\x\enrich.ps1 -Ip 1 Kind=ps`},
		},
		{
			name:  "mode=cidr: the most specific subnet wins; bare addresses are host subnets",
			query: "match(file=\"nets.csv\", field=ip, column=net, mode=cidr)",
			files: map[string]string{"nets.csv": "net,zone\n10.0.0.0/8,corp\n10.1.0.0/16,lab\n10.1.2.3,printer\n2001:db8::/32,v6\n"},
			events: []*event.Event{
				ev("ip", "10.9.9.9"), ev("ip", "10.1.9.9"), ev("ip", "10.1.2.3"), ev("ip", "2001:db8::1"), ev("ip", "192.0.2.1"), ev("ip", "not-an-ip"),
			},
			want: []string{"ip=10.9.9.9 zone=corp", "ip=10.1.9.9 zone=lab", "ip=10.1.2.3 zone=printer", "ip=2001:db8::1 zone=v6"},
		},
		{
			name:   "JSON lookup: array of objects",
			query:  "match(file=\"hosts.json\", field=ComputerName)",
			files:  map[string]string{"hosts.json": `[{"ComputerName":"A","Owner":"x","Tier":1},{"ComputerName":"B","Owner":"y"}]`},
			events: []*event.Event{ev("ComputerName", "A"), ev("ComputerName", "B")},
			want:   []string{"ComputerName=A Owner=x Tier=1", "ComputerName=B Owner=y Tier="},
		},
		{
			name:   "JSON lookup: object of objects keeps file order",
			query:  "match(file=\"hosts.json\", field=ComputerName)",
			files:  map[string]string{"hosts.json": `{"1":{"ComputerName":"A","Owner":"old"},"2":{"ComputerName":"A","Owner":"new"}}`},
			events: []*event.Event{ev("ComputerName", "A")},
			want:   []string{"ComputerName=A Owner=new"},
		},
		{
			name:   "CSV quoting and kept whitespace",
			query:  "match(file=\"q.csv\", field=k)",
			files:  map[string]string{"q.csv": "k,v\n\"a,b\", spaced \n"},
			events: []*event.Event{ev("k", "a,b")},
			want:   []string{"k=a,b v= spaced "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runWithLookups(t, tt.query, tt.files, tt.events)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestMatchErrors(t *testing.T) {
	tests := []struct {
		name  string
		query string
		files map[string]string
		noDir bool
		want  string // substring of the diagnostic
	}{
		{"missing file", `match(file="nope.csv", field=a)`, nil, false, `lookup file "nope.csv" not found`},
		{"no lookup directory", `match(file="x.csv", field=a)`, nil, true, "no lookup directory given"},
		{"path escapes the directory", `match(file="../x.csv", field=a)`, nil, false, "must be a path inside the lookup directory"},
		{"row with too many fields", `match(file="bad.csv", field=a)`, map[string]string{"bad.csv": "a,b\n1,2\n3,4,5\n"}, false, `lookup file "bad.csv": line 3:`},
		{"bad quoting", `match(file="bad.csv", field=a)`, map[string]string{"bad.csv": "a,b\n1,\"2\n"}, false, `lookup file "bad.csv": line 2`},
		{"empty file", `match(file="empty.csv", field=a)`, map[string]string{"empty.csv": ""}, false, "line 1: empty file"},
		{"duplicate header", `match(file="dup.csv", field=a)`, map[string]string{"dup.csv": "a,a\n1,2\n"}, false, `duplicate column "a"`},
		{"malformed JSON", `match(file="bad.json", field=a)`, map[string]string{"bad.json": "[{\"a\":1},\n{\"a\":}]"}, false, `lookup file "bad.json": line 2`},
		{"unknown column", `match(file="t.csv", field=a, column=zz)`, map[string]string{"t.csv": "a,b\n1,2\n"}, false, `has no column "zz" (columns: a, b)`},
		{"unequal field and column arrays", `match(file="t.csv", field=[a, b], column=a)`, map[string]string{"t.csv": "a,b\n1,2\n"}, false, "pair up one to one"},
		{"bad mode", `match(file="t.csv", field=a, mode=regex)`, map[string]string{"t.csv": "a,b\n1,2\n"}, false, "mode must be string, glob or cidr"},
		{"missing field", `match(file="t.csv")`, map[string]string{"t.csv": "a,b\n1,2\n"}, false, "missing required parameter field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Now: testNow}
			if !tt.noDir {
				opts.LookupDir = lookupDir(t, tt.files)
			}
			q, diags := cql.Parse(tt.query)
			if diags.HasErrors() {
				t.Fatalf("parse: %s", renderDiags(tt.query, diags))
			}
			_, diags = Compile(q, opts)
			if !diags.HasErrors() {
				t.Fatalf("%s compiled; want an error containing %q", tt.query, tt.want)
			}
			if got := renderDiags(tt.query, diags); !strings.Contains(got, tt.want) {
				t.Errorf("error %q does not contain %q", got, tt.want)
			}
		})
	}
}

// A lookup file that changes on disk is read again by the next compilation.
func TestMatchReloadsChangedFile(t *testing.T) {
	dir := lookupDir(t, map[string]string{"h.csv": "k,v\na,1\n"})
	src := `match(file="h.csv", field=k)`
	p := compileQuery(t, src, Options{LookupDir: dir})
	rows, _ := p.Run([]*event.Event{ev("k", "a")})
	if len(rows) != 1 || row(rows[0]) != "k=a v=1" {
		t.Fatalf("first run: %v", rows)
	}
	if err := os.WriteFile(filepath.Join(dir, "h.csv"), []byte("k,v\na,22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p = compileQuery(t, src, Options{LookupDir: dir})
	rows, _ = p.Run([]*event.Event{ev("k", "a")})
	if len(rows) != 1 || row(rows[0]) != "k=a v=22" {
		t.Fatalf("after change: %v", rows)
	}
}

// Lookup files stay inside --lookups once links are resolved, and only
// regular files are read: a link to a system file, a device or a FIFO is
// refused without opening it (a FIFO would block, a device never end).
func TestLookupConfined(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.csv")
	if err := os.WriteFile(outside, []byte("root:x:0:0,secret\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := lookupDir(t, map[string]string{"real.csv": "a,b\n1,2\n"})
	links := map[string]string{"out.csv": outside, "dev.csv": "/dev/zero", "in.csv": filepath.Join(dir, "real.csv")}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	fifo := true
	if err := mkfifo(filepath.Join(dir, "fifo.csv")); err != nil {
		fifo = false
	}
	compile := func(file string) string {
		q, _ := cql.Parse(`match(file="` + file + `", field=a)`)
		_, diags := Compile(q, Options{Now: testNow, LookupDir: dir})
		return renderDiags("q", diags)
	}
	if got := compile("in.csv"); got != "" {
		t.Errorf("a link inside the directory was refused: %s", got)
	}
	for file, want := range map[string]string{
		"out.csv": "is a link to a file outside the lookup directory",
		"dev.csv": "is a link to a file outside the lookup directory",
	} {
		got := compile(file)
		if !strings.Contains(got, want) || strings.Contains(got, "root:x") {
			t.Errorf("%s: %q, want %q and no content", file, got, want)
		}
	}
	if fifo {
		done := make(chan string, 1)
		go func() { done <- compile("fifo.csv") }()
		select {
		case got := <-done:
			if !strings.Contains(got, "not a regular file") {
				t.Errorf("fifo: %q", got)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("reading a FIFO lookup blocked")
		}
	}
}
