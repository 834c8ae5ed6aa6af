package ingest

import (
	"errors"
	"testing"
)

func TestCheckShape(t *testing.T) {
	tests := []struct {
		line string
		want error
	}{
		{`{"a":"1"}`, nil},
		{"  {\"a\":1}\r", nil},
		{"", ErrBlank},
		{" \t ", ErrBlank},
		{`{"a":"1"`, ErrNotObject}, // cut off
		{`not json`, ErrNotObject},
		{`["a"]`, ErrNotObject},
		{`}`, ErrNotObject},
	}
	for _, tt := range tests {
		if got := CheckShape([]byte(tt.line)); !errors.Is(got, tt.want) && got != tt.want {
			t.Errorf("CheckShape(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}
