package rules

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	shipped "github.com/tiercel/tiercel/rules"
)

const seedDir = "T1590.005-ip-address-recon"

// seedFS copies the shipped seed rule into a MapFS under "r", applying
// edits (file → function of its text; returning "" deletes the file).
func seedFS(t *testing.T, edits map[string]func(string) string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(shipped.FS, seedDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(shipped.FS, p)
		if err != nil {
			return err
		}
		m["r"+strings.TrimPrefix(p, seedDir)] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range edits {
		old := ""
		if f, ok := m["r/"+name]; ok {
			old = string(f.Data)
		}
		if s := edit(old); s == "" {
			delete(m, "r/"+name)
		} else {
			m["r/"+name] = &fstest.MapFile{Data: []byte(s)}
		}
	}
	return m
}

func replace(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

func TestLoadSeed(t *testing.T) {
	r, err := Load(seedFS(t, nil), "r")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"id", r.ID, "T1590.005-ip-address-recon"},
		{"sub-technique", r.Attack.Subtechnique, Ref{"T1590.005", "IP Addresses"}},
		{"tactic", r.Attack.Tactic, Ref{"TA0043", "Reconnaissance"}},
		{"severity", r.Severity, "medium"},
		{"branches", len(r.Branches), 3},
		{"false positives", len(r.FalsePos), 4},
		{"tunings", strings.Join(r.TuningNames(), ","), "soc-analyst-hosts,scanner-hosts,scanner-accounts,soar-enrichment,browser-prefetch"},
		{"attack tests", len(r.Testing.Attacks), 5},
		{"dialect warnings kept", len(r.Warnings) > 0, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		edits map[string]func(string) string
		want  []string // substrings the error must contain
	}{
		{"unknown key with closest-key hint",
			map[string]func(string) string{"rule.yaml": replace("severity: medium", "severty: medium")},
			[]string{"r/rule.yaml:33:1: unknown key \"severty\" in rule.yaml", `did you mean "severity"?`}},
		{"unknown nested key",
			map[string]func(string) string{"rule.yaml": replace("  url: https://attack", "  link: https://attack")},
			[]string{"r/rule.yaml:29:3: unknown key \"link\" in attack", "missing required key \"url\" in attack"}},
		{"missing required key",
			map[string]func(string) string{"rule.yaml": replace("confidence: medium\n", "")},
			[]string{"r/rule.yaml:3:1: missing required key \"confidence\"", "add `confidence:`"}},
		{"enumerated value with suggestion",
			map[string]func(string) string{"rule.yaml": replace("severity: medium", "severity: meduim")},
			[]string{"r/rule.yaml:33:11: severity \"meduim\" is not allowed", `did you mean "medium"?`}},
		{"broken YAML",
			map[string]func(string) string{"rule.yaml": replace("query: query.cql", "query: [query.cql")},
			[]string{"r/rule.yaml:", "invalid YAML"}},
		{"a list where a mapping belongs",
			map[string]func(string) string{"rule.yaml": replace("  tactic: {id: TA0043, name: Reconnaissance}", "  tactic: [TA0043]")},
			[]string{"r/rule.yaml:26:11: attack.tactic must be a mapping, not a list"}},
		{"bad query names query.cql line and column",
			map[string]func(string) string{"query.cql": replace(`| sort(@timestamp, order=desc)`, `| sort(@timestamp, order=desc`)},
			[]string{"r/query.cql:23:7:", "never closed"}},
		{"unknown function in query",
			map[string]func(string) string{"query.cql": replace(`| sort(@timestamp`, `| srot(@timestamp`)},
			[]string{"r/query.cql:23:3:", "srot"}},
		{"missing query file reported where it is named",
			map[string]func(string) string{"query.cql": func(string) string { return "" }},
			[]string{"r/rule.yaml:32:8: query file \"query.cql\": file does not exist", "create r/query.cql"}},
		{"missing tuning file",
			map[string]func(string) string{"tunings/scanner-hosts.cql": func(string) string { return "" }},
			[]string{"r/rule.yaml:", `tuning file "tunings/scanner-hosts.cql": file does not exist`}},
		{"missing example lookup",
			map[string]func(string) string{"lookups/scanner_hosts.csv": func(string) string { return "" }},
			[]string{"r/rule.yaml:", `lookup "scanner_hosts.csv" has no example file lookups/scanner_hosts.csv`}},
		{"bad tuning query",
			map[string]func(string) string{"tunings/scanner-hosts.cql": replace("strict=true);", "strict=true;")},
			[]string{"r/tunings/scanner-hosts.cql:"}},
		{"tuning reads an undeclared lookup",
			map[string]func(string) string{"tunings/scanner-hosts.cql": replace(`file="scanner_hosts.csv"`, `file="other.csv"`)},
			[]string{`tuning "scanner-hosts" reads lookup "other.csv" that it does not declare`}},
		{"false positive names an unknown tuning",
			map[string]func(string) string{"rule.yaml": replace("tunings: [soc-analyst-hosts]", "tunings: [soc-analyst-host]")},
			[]string{"r/rule.yaml:68:15: false positive refers to unknown tuning \"soc-analyst-host\"", `did you mean "soc-analyst-hosts"?`}},
		{"declared branch the query never assigns",
			map[string]func(string) string{"query.cql": replace(`"OSINTNetworkConnect"`, `"OSINTNetConnect"`)},
			[]string{`branch "OSINTNetworkConnect" is declared in rule.yaml but the query never assigns`}},
		{"missing attack test file",
			map[string]func(string) string{"tests/attack-3-nmap-ping-sweep.txtar": func(string) string { return "" }},
			[]string{`attack test file "tests/attack-3-nmap-ping-sweep.txtar": file does not exist`}},
		{"missing rule.yaml",
			map[string]func(string) string{"rule.yaml": func(string) string { return "" }},
			[]string{"r/rule.yaml: cannot read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(seedFS(t, tt.edits), "r")
			if err == nil {
				t.Fatal("loaded; want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%s", w, err)
				}
			}
		})
	}
}

func TestLoadDirDuplicateIDs(t *testing.T) {
	m := seedFS(t, nil)
	for k, v := range m {
		m["r2"+strings.TrimPrefix(k, "r")] = v
	}
	rules, err := LoadDir(m, ".", "rules")
	if err == nil || !strings.Contains(err.Error(), `rule id "T1590.005-ip-address-recon" is also used by rules/r`) {
		t.Fatalf("err = %v", err)
	}
	if len(rules) != 1 {
		t.Errorf("loaded %d rules, want the first one", len(rules))
	}
}

func TestMergeOverridesByID(t *testing.T) {
	a := &Rule{ID: "x", Title: "shipped"}
	b := &Rule{ID: "x", Title: "local"}
	c := &Rule{ID: "a"}
	got := Merge([]*Rule{a}, []*Rule{b, c})
	if len(got) != 2 || got[0] != c || got[1] != b {
		t.Errorf("Merge = %v", got)
	}
}

func TestSelect(t *testing.T) {
	set, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"T1590.005", "t1590.005", "T1590", "T1590.005-ip-address-recon", seedDir} {
		if got := Select(set, name); len(got) != 1 {
			t.Errorf("Select(%q) = %d rules, want 1", name, len(got))
		}
	}
	if got := Select(set, "T1591"); len(got) != 0 {
		t.Errorf("Select(T1591) = %d rules, want 0", len(got))
	}
}

// Odd but well-formed YAML must give errors, never a panic or a silent load.
func TestLoadOddYAML(t *testing.T) {
	docs := []string{
		"", "null", "42", "- a\n- b\n", "id: [x]\n", "attack: 5\n", "tunings: {a: b}\n",
		"tunings:\n  - 7\n", "false_positives:\n  - text: x\n    advice: y\n    tunings: z\n",
		"a: &x {b: 1}\nc: *x\n", "testing:\n  attacks:\n    - signals: [1, 2]\n", "id: x\nid: y\n",
	}
	for _, doc := range docs {
		m := seedFS(t, map[string]func(string) string{"rule.yaml": func(string) string { return doc + "\n" }})
		if _, err := Load(m, "r"); err == nil || !strings.Contains(err.Error(), "r/rule.yaml:") {
			t.Errorf("rule.yaml %q: error %v, want one naming r/rule.yaml:LINE", doc, err)
		}
	}
}
