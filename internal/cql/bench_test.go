package cql

import "testing"

func BenchmarkParseCorpus(b *testing.B) {
	recs := loadCorpus(b)
	if recs == nil {
		b.Skip("corpus not found")
	}
	n := 0
	for _, r := range recs {
		n += len(r.Query)
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, r := range recs {
			Parse(r.Query)
		}
	}
}
