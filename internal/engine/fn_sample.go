package engine

import (
	"strconv"

	"github.com/tiercel/tiercel/internal/event"
)

// sample(percentage=1, field=@timestamp) keeps about percentage percent of
// the events and drops those without the field (reference page
// functions-sample). The choice hashes the field's value, so it is the
// same on every run and the same value is always kept or always dropped.

func init() {
	registerFunc("sample", &funcImpl{params: []string{"percentage", "field"}, test: func(c *compiler, a *args) (tester, error) {
		s, err := a.str("percentage", "1")
		if err != nil {
			return nil, err
		}
		p, err2 := strconv.ParseFloat(s, 64)
		if err2 != nil || p < 0 || p > 100 {
			return nil, a.errorf("percentage", "percentage must be a number from 0 to 100, not %q", s)
		}
		f, err := a.fieldName("field", event.Timestamp)
		if err != nil {
			return nil, err
		}
		return &sampleTester{field: f, below: uint32(p / 100 * float64(1<<32-1))}, nil
	}})
}

type sampleTester struct {
	field string
	below uint32
}

func (s *sampleTester) test(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return false
	}
	return murmur3([]byte(v), 0x5a17) <= s.below && s.below > 0
}
