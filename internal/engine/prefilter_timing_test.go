package engine

import (
	"bytes"
	"os"
	"testing"
)

// sampleLines is the real FDR sample lines (mixed event types, ~1 KB each)
// from the ingest package's testdata.
func sampleLines(tb testing.TB) [][]byte {
	tb.Helper()
	data, err := os.ReadFile("../ingest/testdata/falcon-fdr-samples.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	return bytes.Split(bytes.TrimSpace(data), []byte("\n"))
}

// BenchmarkPrefilterSeedFDR: the seed's prefilter without enrichment over
// real FDR lines (MB/s of raw lines; every line is tested).
func BenchmarkPrefilterSeedFDR(b *testing.B) {
	f := compileQuery(b, seedQuery(b), Options{}).Prefilter(func(string) bool { return false })
	lines := sampleLines(b)
	var size int64
	for _, l := range lines {
		size += int64(len(l)) + 1
	}
	b.SetBytes(size)
	b.ReportAllocs()
	passed := 0
	for b.Loop() {
		passed = 0
		for _, l := range lines {
			if f.Match(l) {
				passed++
			}
		}
	}
	b.ReportMetric(float64(passed), "passed/op")
}
