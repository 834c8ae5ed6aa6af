package sensor

import (
	"io"
	"os"
	"testing"
)

// BenchmarkEVTXRead reads every sample file (the records rendered to
// element trees) and reports events per second on one core.
func BenchmarkEVTXRead(b *testing.B) {
	var files [][]byte
	for _, p := range sampleFiles(b) {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
	}
	b.ResetTimer()
	events := 0
	for b.Loop() {
		for _, d := range files {
			st, _ := ReadEVTX(d, func(*EVTXRecord) error { return nil }, nil)
			events += st.Records
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkEVTXToFalcon is the whole ingest path: read, map onto the
// Falcon model and write NDJSON.
func BenchmarkEVTXToFalcon(b *testing.B) {
	var files [][]byte
	for _, p := range sampleFiles(b) {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
	}
	b.ResetTimer()
	events := 0
	for b.Loop() {
		for _, d := range files {
			st, _ := Convert(FormatEVTX, "bench", bytesReader(d), io.Discard, nil)
			events += st.Events
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

func bytesReader(b []byte) io.Reader { return &sliceReader{b: b} }

type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
