package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestUnitConvert(t *testing.T) {
	events := []*event.Event{ev("t", "514 ms", "k", "4KiB", "b", "1500000", "r", "2048", "x", "lots")}
	tests := []struct {
		src  string
		want []string
	}{
		{"unit:convert(t, to=s) | select(t)", []string{"t=0.514"}},
		{"unit:convert(t) | select(t)", []string{"t=0.514"}},
		{"unit:convert(k, to=B, as=o) | select(o)", []string{"o=4096"}},
		{"unit:convert(b, to=M) | select(b)", []string{"b=1.5"}},
		{`unit:convert(b, from=B, to="k", as=o) | select(o)`, []string{"o=1500"}},
		{"unit:convert(r, binary=true, from=B, to=k, keepUnit=true, as=o) | select(o)", []string{"o=2kB"}},
		{"unit:convert(r, from=Mi, to=Gi, as=o) | select(o)", []string{"o=2"}},
		{"unit:convert(t, to=B, as=o) | select(o)", []string{""}},
		{"unit:convert(x, to=k, as=o) | select(o)", []string{""}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
}
