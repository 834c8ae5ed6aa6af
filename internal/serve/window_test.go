package serve

import (
	"fmt"
	"testing"
	"time"
)

func TestCorrWindowBounds(t *testing.T) {
	line := func(sec int) []byte {
		return []byte(fmt.Sprintf(`{"timestamp":"%d","pad":"%0200d"}`, 1_700_000_000_000+int64(sec)*1000, 0))
	}
	w := newCorrWindow(CorrelationOptions{Window: time.Minute, MaxBytes: 1 << 20})
	w.add([][]byte{line(0), line(10)})
	w.add([][]byte{line(50)})
	if n := len(w.chunks()); n != 2 {
		t.Fatalf("within the window: %d parts, want 2", n)
	}
	w.add([][]byte{line(75)}) // the first part's newest event is 65 s behind
	if n := len(w.chunks()); n != 2 {
		t.Errorf("after 75 s: %d parts, want 2", n)
	}
	small := newCorrWindow(CorrelationOptions{Window: time.Hour, MaxBytes: 600})
	for i := range 10 {
		small.add([][]byte{line(i)})
	}
	if small.bytes > 600 || len(small.chunks()) != 2 {
		t.Errorf("byte bound: %d bytes in %d parts", small.bytes, len(small.chunks()))
	}
}
