package engine

import (
	"strconv"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestStatsFunctions(t *testing.T) {
	var events []*event.Event
	for _, v := range []string{"2", "4", "4", "4", "5", "5", "7", "9", "x"} {
		events = append(events, ev("v", v))
	}
	tests := []struct {
		src  string
		want []string
	}{
		{"stdDev(v)", []string{"_stddev=2"}},
		{"range(v, as=r)", []string{"r=7"}},
		{"percentile(v)", []string{"_50=4 _75=5 _99=9"}},
		{"percentile(v, percentiles=[0, 25, 100], as=p)", []string{"p_0=2 p_25=4 p_100=9"}},
		{"stdDev(missing)", nil},
		{"stats([range(v), stdDev(v)])", []string{"_range=7 _stddev=2"}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
	expectCompileError(t, "percentile(v, percentiles=[101])")
	expectCompileError(t, "stdDev()")
}

// stdDev stays exact for large values with a small spread.
func TestStdDevLargeValues(t *testing.T) {
	var events []*event.Event
	for i := 0; i < 4; i++ {
		events = append(events, ev("v", strconv.Itoa(1_000_000_000+i%2*2)))
	}
	expect(t, "stdDev(v)", events, []string{"_stddev=1"})
}
