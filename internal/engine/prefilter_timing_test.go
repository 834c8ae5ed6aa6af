package engine

import (
	"bytes"
	"testing"

	"github.com/tiercel/tiercel/internal/emulate"
)

// emulatedLines is n lines of `tiercel emulate --view logscale` output:
// mostly the three event types the seed query names, so the event-type
// literal alone rejects little and the field literals do the work.
func emulatedLines(tb testing.TB, n int64) [][]byte {
	tb.Helper()
	g, err := emulate.New(emulate.Options{Seed: 3, Events: n, View: emulate.ViewLogScale})
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := g.Run(&buf); err != nil {
		tb.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
}

// BenchmarkPrefilterSeedEmulated: the seed's prefilter without enrichment
// over emulated telemetry (MB/s of raw lines; every line is tested).
func BenchmarkPrefilterSeedEmulated(b *testing.B) {
	f := compileQuery(b, seedQuery(b), Options{}).Prefilter(func(string) bool { return false })
	lines := emulatedLines(b, 20000)
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
	b.ReportMetric(float64(passed)/float64(len(lines))*100, "%passed")
}
