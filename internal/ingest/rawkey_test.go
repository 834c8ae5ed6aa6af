package ingest

import (
	"bytes"
	"testing"
)

// IndexKey finds what bytes.Index finds, whatever byte it scans for.
func TestIndexKey(t *testing.T) {
	key := []byte(`"ContextProcessId"`)
	for _, line := range []string{
		`{"ContextProcessId":"1"}`,
		`{"aid":"a","ContextProcessId":"1"}`,
		`{"ContextProcess":"1","ContextProcessIdX":"2"}`,
		`{"CommandLine":"C C P P I I","ContextProcessId":"1"}`,
		`{"x":"ContextProcessId"}`,
		`"ContextProcessId"`,
		`ContextProcessId"`,
		`{}`,
		``,
	} {
		want := bytes.Index([]byte(line), key)
		for anchor := range len(key) + 1 {
			if got := IndexKey([]byte(line), key, anchor); got != want {
				t.Errorf("IndexKey(%s, anchor %d) = %d, want %d", line, anchor, got, want)
			}
		}
	}
}
