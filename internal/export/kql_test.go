package export

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/rules"
)

// kustoModule finds Microsoft's Kusto language service (npm
// @kusto/language-service-next), installed by .ci/run into a cache dir.
func kustoModule(t *testing.T) (node, dir string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; KQL is not checked by the Kusto language service (.ci/run installs it)")
	}
	dir = os.Getenv("TIERCEL_KUSTO_MODULE")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "tiercel-npm", "node_modules", "@kusto", "language-service-next")
	}
	if _, err := os.Stat(filepath.Join(dir, "Kusto.Language.Bridge.js")); err != nil {
		t.Skipf("@kusto/language-service-next is not installed at %s (set TIERCEL_KUSTO_MODULE, or run the npm install line of .ci/run)", dir)
	}
	return node, dir
}

type kustoDiag struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Start    int    `json:"start"`
	Length   int    `json:"length"`
}

// kustoCheck parses and analyzes queries against the Defender tables.
func kustoCheck(t *testing.T, queries []string) [][]kustoDiag {
	node, dir := kustoModule(t)
	var tables map[string]string
	data, err := os.ReadFile(filepath.Join("testdata", "defender-tables.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &tables); err != nil {
		t.Fatal(err)
	}
	delete(tables, "_source")
	in, _ := json.Marshal(map[string]any{"tables": tables, "queries": queries})
	cmd := exec.Command(node, filepath.Join("testdata", "kusto-check.js"), dir)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kusto-check.js: %v\n%s", err, stderr.String())
	}
	var diags [][]kustoDiag
	if err := json.Unmarshal(out, &diags); err != nil {
		t.Fatalf("kusto-check.js output: %v\n%s", err, out)
	}
	if len(diags) != len(queries) {
		t.Fatalf("kusto-check.js answered %d queries of %d", len(diags), len(queries))
	}
	return diags
}

// TestKQLValidByKustoLanguageService checks every KQL export (the shipped
// rule's and the golden queries') with Microsoft's own parser and semantic
// analyzer: no error and no warning against the Defender XDR schema.
func TestKQLValidByKustoLanguageService(t *testing.T) {
	kustoModule(t)
	names := []string{}
	queries := []string{}
	set, err := rules.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range set {
		out, err := Rule(r, "kql")
		if err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		names, queries = append(names, r.ID), append(queries, out.Text)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "queries", "*.cql"))
	for _, f := range files {
		text, _ := os.ReadFile(f)
		out, err := Query(f, string(text), Meta{RuleID: filepath.Base(f)}, "kql")
		if err != nil {
			continue // refused queries are covered by the golden files
		}
		names, queries = append(names, f), append(queries, out.Text)
	}
	// Controls: the checker must see a wrong column and a syntax error.
	names = append(names, "control-column", "control-syntax")
	queries = append(queries, "DeviceNetworkEvents | where RemotePrt == 443", "DeviceNetworkEvents | where RemotePort in (80, ")
	diags := kustoCheck(t, queries)
	for i, ds := range diags {
		if strings.HasPrefix(names[i], "control-") {
			if len(ds) == 0 {
				t.Errorf("%s: the Kusto language service reported nothing for a broken query", names[i])
			}
			continue
		}
		for _, d := range ds {
			end := min(d.Start+d.Length, len(queries[i]))
			t.Errorf("%s: Kusto %s %s at %d %q: %s", names[i], d.Severity, d.Code, d.Start, queries[i][d.Start:end], d.Message)
		}
	}
	t.Logf("checked %d KQL exports with @kusto/language-service-next", len(queries)-2)
}
