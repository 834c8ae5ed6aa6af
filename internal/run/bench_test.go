package run

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
)

// BenchmarkSearchSeed runs the seed-like query end to end (prefilter,
// decode, engine, ordered tail) over generated lines.
func BenchmarkSearchSeed(b *testing.B) {
	src, err := os.ReadFile("../engine/testdata/seed-T1590.005.cql")
	if err != nil {
		b.Fatal(err)
	}
	prog := compile(b, string(src))
	lines := genLines(20000)
	size := int64(len(strings.Join(lines, "\n")) + 1)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows := 0
		_, err := Search(context.Background(), []*engine.Program{prog}, newChunks("gen", lines, 2000), Options{
			Emit: func(int, *event.Event) { rows++ },
		})
		if err != nil || rows == 0 {
			b.Fatalf("rows %d, err %v", rows, err)
		}
	}
}
