package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestMathFunctions(t *testing.T) {
	events := []*event.Event{ev("x", "2.5", "y", "-2.5", "z", "abc", "n", "16")}
	tests := []struct {
		src  string
		want []string
	}{
		{"round(x)", []string{"x=3 y=-2.5 z=abc n=16"}},
		{"round(y) | drop([x, z, n])", []string{"y=-2"}},
		{"round(x, how=floor, as=r) | select(r)", []string{"r=2"}},
		{"r := round(y, how=ceil) | select(r)", []string{"r=-2"}},
		{"round(z) | select(z)", []string{"z=abc"}},
		{"math:sqrt(n) | select(_sqrt)", []string{"_sqrt=4"}},
		{"math:sqrt(y) | select(_sqrt)", []string{""}},
		{"math:log2(n, as=b) | select(b)", []string{"b=4"}},
		{"math:abs(y) | select(_abs)", []string{"_abs=2.5"}},
		{"math:floor(y) | select(_floor)", []string{"_floor=-3"}},
		{"math:pow(n, exponent=0.5) | select(_pow)", []string{"_pow=4"}},
		{"v := math:ceil(x) + 1 | select(v)", []string{"v=4"}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
	expectCompileError(t, "round(x, how=up)")
	expectCompileError(t, "math:pow(x, exponent=two)")
}
