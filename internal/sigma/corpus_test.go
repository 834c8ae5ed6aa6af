package sigma

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/check"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/engine"
)

const visibleDir = "../../../shared/corpus/sigma-visible"

func corpusFiles(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(visibleDir, "*.yml"))
	if len(files) == 0 {
		t.Skipf("no Sigma corpus at %s (../shared is absent)", visibleDir)
	}
	sort.Strings(files)
	return files
}

// pySigmaResults reads which files pySigma's CrowdStrike backend converted,
// and its query for each.
func pySigmaResults(t *testing.T) map[string]string {
	f, err := os.Open(filepath.Join(visibleDir, "expected-pysigma.jsonl"))
	if err != nil {
		t.Skipf("no expected-pysigma.jsonl: %v", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var line struct {
			File    string
			Results map[string]struct {
				OK    bool
				Query string
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		if r := line.Results["logscale/crowdstrike_falcon"]; r.OK {
			out[line.File] = r.Query
		}
	}
	return out
}

// compileCQL parses, checks and compiles a query with the project's own
// front end and engine.
func compileCQL(t *testing.T, src string) *engine.Program {
	t.Helper()
	q, diags := cql.Parse(src)
	if diags.HasErrors() {
		t.Fatalf("parse:\n%s\n%s", src, renderDiags(diags, src))
	}
	if d := check.Check(q, check.Options{}); d.HasErrors() {
		t.Fatalf("check:\n%s\n%s", src, renderDiags(d, src))
	}
	prog, diags := engine.Compile(q, engine.Options{Unlimited: true})
	if diags.HasErrors() {
		t.Fatalf("compile:\n%s\n%s", src, renderDiags(diags, src))
	}
	return prog
}

func TestCorpusConversionRate(t *testing.T) {
	files := corpusFiles(t)
	py := pySigmaResults(t)
	c := NewConverter()
	ours, theirs, theirsClean := 0, 0, 0
	falcon := falconFields(c)
	reasons := map[string]int{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(file)
		if pq, ok := py[base]; ok {
			theirs++
			if unknown := unknownFields(pq, falcon); len(unknown) == 0 {
				theirsClean++
			} else {
				t.Logf("pySigma output of %s keeps non-Falcon fields %v", base, unknown)
			}
		}
		rs, err := Parse(base, data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		q, err := c.Convert(rs[0])
		if err != nil {
			msg := err.Error()
			reasons[msg[strings.Index(msg, "\": ")+3:]]++
			t.Logf("not converted: %v", err)
			continue
		}
		ours++
		compileCQL(t, q.CQL())
	}
	t.Logf("converted %d of %d visible rules, none keeping an unmapped field; pySigma's CrowdStrike backend: %d, of which %d keep no Sysmon field", ours, len(files), theirs, theirsClean)
	for r, n := range reasons {
		t.Logf("  %d × %s", n, r)
	}
	if ours < theirsClean {
		t.Errorf("converted %d rules, fewer than pySigma's %d valid conversions", ours, theirsClean)
	}
}

func renderDiags(ds cql.Diagnostics, src string) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Render("query", src))
	}
	return b.String()
}

// falconFields are the fields a correct Falcon query may name: every target
// of the mapping table plus the event type and platform.
func falconFields(c *Converter) map[string]bool {
	out := map[string]bool{"#event_simpleName": true, "event_platform": true, "ContextBaseFileName": true}
	for _, ls := range c.Mapping.Logsources {
		for _, f := range ls.Fields {
			out[f.Field], out[f.IPv6Field] = true, true
		}
	}
	for _, f := range c.Mapping.Common {
		out[f.Field] = true
	}
	// Fields only tiercel's enrichment adds do not make pySigma's output
	// (which runs without it) valid.
	for _, f := range []string{"ParentCommandLine", "ParentImageFileName", "ContextImageFileName", "ContextProcessName",
		"ContextCommandLine", "ContextParentBaseFileName", "DestinationHostname"} {
		delete(out, f)
	}
	return out
}

var cqlFieldRef = regexp.MustCompile(`(?:^|[\s(])([#\w]+)(?:=|!=)|cidr\((\w+)`)

func unknownFields(q string, known map[string]bool) []string {
	var out []string
	for _, m := range cqlFieldRef.FindAllStringSubmatch(q, -1) {
		f := m[1] + m[2]
		if !known[f] && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// TestDocsListEveryMapping keeps docs/sigma.md true to falcon.yaml: every
// Sigma field of the table and its Falcon field are in the docs.
func TestDocsListEveryMapping(t *testing.T) {
	doc, err := os.ReadFile("../../docs/sigma.md")
	if err != nil {
		t.Fatal(err)
	}
	m := NewConverter().Mapping
	for _, ls := range m.Logsources {
		if !strings.Contains(string(doc), "`"+ls.Category+"`") {
			t.Errorf("docs/sigma.md lacks category %s", ls.Category)
		}
		for _, e := range ls.Events {
			if !strings.Contains(string(doc), "`"+e+"`") {
				t.Errorf("docs/sigma.md lacks event %s", e)
			}
		}
		for name, f := range ls.Fields {
			for _, s := range []string{name, f.Field} {
				if s != "" && !strings.Contains(string(doc), "`"+s+"`") {
					t.Errorf("docs/sigma.md lacks %s (%s %s)", s, ls.Category, name)
				}
			}
		}
	}
}
