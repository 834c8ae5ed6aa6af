package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestSigmaRoundTrip: the seed rule exported to Sigma (the file checked into
// its package) and imported back by tiercel's Sigma importer raises the same
// alerts as the CQL rule on emulated telemetry: the same events, in the same
// branch, for all three branches.
func TestSigmaRoundTrip(t *testing.T) {
	sigmaFile := filepath.Join("..", "..", "rules", "T1590.005-ip-address-recon", "exports", "t1590_005_ip_address_recon.yml")
	branchOf := sigmaBranches(t, sigmaFile)
	for _, seed := range []string{"1", "7"} {
		t.Run("seed"+seed, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "fdr")
			if code, _, stderr := runTiercel(t, "", "emulate", "--fdr", dir, "--events", "20000", "--seed", seed); code != ExitOK {
				t.Fatalf("emulate: exit %d: %s", code, stderr)
			}
			code, cqlOut, stderr := runTiercel(t, "", "hunt", "--format", "json", dir)
			if code != ExitOK {
				t.Fatalf("hunt: exit %d: %s", code, stderr)
			}
			code, sigOut, stderr := runTiercel(t, "", "hunt", "--sigma", sigmaFile, "--sigma-only", "--format", "json", dir)
			if code != ExitOK {
				t.Fatalf("hunt --sigma: exit %d: %s", code, stderr)
			}
			cql := branchKeys(t, cqlOut, func(a map[string]any) string { s, _ := a["DetectionBranch"].(string); return s })
			sig := branchKeys(t, sigOut, func(a map[string]any) string { id, _ := a["sigma_id"].(string); return branchOf[id] })
			perBranch := map[string]int{}
			for _, k := range cql {
				perBranch[strings.SplitN(k, " ", 2)[0]]++
			}
			for _, b := range []string{"OSINTToolExecution", "IPIntelDNSLookup", "OSINTNetworkConnect"} {
				if perBranch[b] == 0 {
					t.Errorf("the CQL rule raised no %s alert: the round trip would not test that branch", b)
				}
			}
			if !slices.Equal(cql, sig) {
				t.Errorf("CQL alerts and Sigma round-trip alerts differ:\nonly CQL:   %v\nonly Sigma: %v", minus(cql, sig), minus(sig, cql))
			}
			t.Logf("seed %s: %d alerts from both (%v)", seed, len(cql), perBranch)
		})
	}
}

// sigmaBranches maps each rule id of an exported collection to its branch.
func sigmaBranches(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	dec := yaml.NewDecoder(f)
	for {
		var doc struct {
			ID     string `yaml:"id"`
			Branch string `yaml:"detection_branch"`
		}
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		out[doc.ID] = doc.Branch
	}
	if len(out) != 3 {
		t.Fatalf("%s holds %d rules, want 3", file, len(out))
	}
	return out
}

// branchKeys lists "branch event-id" of every alert, sorted.
func branchKeys(t *testing.T, ndjson string, branch func(map[string]any) string) []string {
	t.Helper()
	var keys []string
	sc := bufio.NewScanner(strings.NewReader(ndjson))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var a map[string]any
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("alert %q: %v", sc.Text(), err)
		}
		id, _ := a["id"].(string)
		b := branch(a)
		if id == "" || b == "" {
			t.Fatalf("alert without event id or branch: %s", sc.Text())
		}
		keys = append(keys, b+" "+id)
	}
	slices.Sort(keys)
	return keys
}

// TestSigmaCorrelationRoundTrip: bucket() with count() exports as a Sigma
// event_count correlation; imported back it counts the same events per host
// and hour as the CQL query.
func TestSigmaCorrelationRoundTrip(t *testing.T) {
	dir := t.TempDir()
	query := "#event_simpleName=DnsRequest DomainName=/\\.onion$/i\n| bucket(span=1h, field=ComputerName, function=count())\n"
	cqlFile := writeTemp(t, dir, "onion.cql", query)
	var lines []string
	domains := []string{"abc.onion", "x.example.com", "zz.ONION", "onion.com", "q.onion"}
	for i := 0; i < 90; i++ {
		ts := int64(1772445600000) + int64(i*i*1337%(3*3600*1000))
		lines = append(lines, fmt.Sprintf(`{"#event_simpleName":"DnsRequest","event_simpleName":"DnsRequest","aid":"a%d","ComputerName":"H%d","DomainName":%q,"@timestamp":%d,"id":"e%d"}`,
			i%3, i%3, domains[i*7%len(domains)], ts, i))
	}
	data := writeTemp(t, dir, "dns.ndjson", strings.Join(lines, "\n")+"\n")
	sigmaFile := filepath.Join(dir, "onion.yml")
	if code, _, stderr := runTiercel(t, "", "export", "--to", "sigma", "-o", sigmaFile, cqlFile); code != ExitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	code, cqlOut, stderr := runTiercel(t, "", "search", "--format", "json", query, data)
	if code != ExitOK {
		t.Fatalf("search: exit %d: %s", code, stderr)
	}
	code, sigOut, stderr := runTiercel(t, "", "hunt", "--sigma", sigmaFile, "--sigma-only", "--format", "json", data)
	if code != ExitOK {
		t.Fatalf("hunt --sigma: exit %d: %s", code, stderr)
	}
	rows := func(out, window string) []string {
		var keys []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var r map[string]any
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			keys = append(keys, fmt.Sprintf("%v %v %v", r[window], r["ComputerName"], r["_count"]))
		}
		slices.Sort(keys)
		return keys
	}
	want, got := rows(cqlOut, "_bucket"), rows(sigOut, "_window")
	if len(want) < 6 || !slices.Equal(want, got) {
		t.Fatalf("per-hour counts differ:\nCQL:   %v\nSigma: %v", want, got)
	}
}
