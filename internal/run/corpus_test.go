package run

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/check"
	"github.com/tiercel/tiercel/internal/corpustest"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/dnsres"
	"github.com/tiercel/tiercel/internal/dnsres/dnstest"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/geoip"
	"github.com/tiercel/tiercel/internal/geoip/mmdbwrite"
	"github.com/tiercel/tiercel/internal/ioc"
)

const samplesPath = "../../../shared/samples/falcon-fdr-samples.jsonl"

// TestCorpusRuns compiles every real query of the shared corpus that parses
// and checks clean, runs it over the real FDR sample lines and requires that
// nothing panics and nothing fails at compile time. It reports the rates.
func TestCorpusRuns(t *testing.T) {
	recs := corpustest.Load(t)
	samples, err := os.ReadFile(samplesPath)
	if err != nil {
		t.Skipf("samples not available: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(samples)), "\n")
	data := corpusData(t)

	var total, clean, compiled, ran int
	failures := map[string]int{}
	example := map[string]string{}
	for _, r := range recs {
		total++
		src := strings.TrimPrefix(strings.TrimSpace(r.Query), "|")
		q, ds := cql.Parse(src)
		if ds.HasErrors() || check.Check(q, check.Options{}).HasErrors() {
			continue
		}
		clean++
		prog, ds := engine.Compile(q, engine.Options{Params: anyParams{}.fill(src), Data: data})
		if ds.HasErrors() {
			key := ds[0].Code + ": " + firstWords(ds[0].Message)
			failures[key]++
			sp := ds[0].Span
			example[key] = src[max(0, int(sp.Start)-20):min(len(src), max(int(sp.End), int(sp.Start))+20)]
			continue
		}
		compiled++
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("panic running %q: %v", src, p)
				}
			}()
			_, err := Search(context.Background(), []*engine.Program{prog}, newChunks("samples", lines, 10), Options{
				Workers: 2, Emit: func(int, *event.Event) {},
				Reopen: func() (Source, error) { return newChunks("samples", lines, 10), nil },
			})
			if err != nil {
				t.Errorf("run %q: %v", src, err)
				return
			}
			ran++
		}()
	}
	t.Logf("corpus: %d queries, %d parse and check clean, %d compile (%.1f%% of clean), %d ran over %d sample lines",
		total, clean, compiled, 100*float64(compiled)/float64(max(clean, 1)), ran, len(lines))
	for _, k := range corpustest.ByCount(failures)[:min(len(failures), 60)] {
		t.Logf("  %4d  %s\n        e.g. %q", failures[k], k, example[k])
	}
}

// corpusData is the outside data LogScale keeps in the cluster, built
// small: a City and an ASN database, an indicator store and a loopback DNS
// server, so the queries that read them compile and run.
func corpusData(t *testing.T) engine.DataSources {
	t.Helper()
	dir := t.TempDir()
	city := &mmdbwrite.DB{Type: "GeoLite2-City"}
	asn := &mmdbwrite.DB{Type: "GeoLite2-ASN"}
	for _, cidr := range []string{"0.0.0.0/1", "128.0.0.0/1"} {
		if err := city.Insert(cidr, map[string]any{
			"country":  map[string]any{"iso_code": "US"},
			"city":     map[string]any{"names": map[string]any{"en": "Somewhere"}},
			"location": map[string]any{"latitude": 40.0, "longitude": -100.0},
		}); err != nil {
			t.Fatal(err)
		}
		if err := asn.Insert(cidr, map[string]any{"autonomous_system_number": uint32(64500), "autonomous_system_organization": "EXAMPLE"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := city.WriteFile(filepath.Join(dir, "city.mmdb")); err != nil {
		t.Fatal(err)
	}
	if err := asn.WriteFile(filepath.Join(dir, "asn.mmdb")); err != nil {
		t.Fatal(err)
	}
	db, err := geoip.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	feed := filepath.Join(dir, "iocs.csv")
	if err := os.WriteFile(feed, []byte("indicator,type,malicious_confidence,labels\n10.0.0.0/8,ip_address,low,Actor/TEST\nexample.com,domain,high,Malware/TEST\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	store, _, err := ioc.Load(feed)
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := dnstest.PTRServer(t, map[string]string{})
	return engine.DataSources{GeoIP: db, IOC: store, DNS: dnsres.New(dnsres.Options{Server: addr, Timeout: 200 * time.Millisecond, Rate: 100_000})}
}

func firstWords(s string) string {
	if len(s) > 70 {
		return s[:70]
	}
	return s
}

// anyParams gives every ?param in a query a value, so parameterised corpus
// queries compile.
type anyParams struct{}

func (anyParams) fill(src string) map[string]string {
	out := map[string]string{}
	for i := 0; i < len(src); i++ {
		if src[i] != '?' {
			continue
		}
		j := i + 1
		for j < len(src) && (src[j] == '_' || src[j] == '-' || src[j] == '.' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
			j++
		}
		if j > i+1 {
			out[src[i+1:j]] = fmt.Sprint("tiercel")
		}
	}
	return out
}
