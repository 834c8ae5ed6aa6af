package engine

import "strings"

// fieldReader is an aggregate that reads nothing of the events it gets but
// the fields it names (an empty list: nothing; nil: it cannot tell). The
// runner then hands it copies of those fields alone (Program.TailReads):
// copying whole events for count() or top() was a quarter of such a
// query's time.
type fieldReader interface {
	readsOnly() []string
}

func (s *countSpec) readsOnly() []string { return nonEmpty(s.field) }

func (s *numAggSpec) readsOnly() []string { return nonEmpty(s.field) }

func (s *topSpec) readsOnly() []string {
	return append(append([]string(nil), s.fields...), nonEmpty(s.sumOf, s.maxOf)...)
}

// readsOnly for table(): its fields and sort keys, which are all a row
// keeps; sort(), head() and tail() keep whole events (nil).
func (s *rowsSpec) readsOnly() []string { return s.fields }

// readsOnly for groupBy and stats: the keys and what every aggregate reads,
// nil when one of them is not a fieldReader.
func (s *groupSpec) readsOnly() []string {
	out := append([]string{}, s.keys...)
	for _, a := range s.aggs {
		r, ok := a.(fieldReader)
		if !ok {
			return nil
		}
		reads := r.readsOnly()
		if reads == nil {
			return nil // function=tail(1): whole events
		}
		out = append(out, reads...)
	}
	return out
}

// nonEmpty lists the names given (never nil: "reads nothing" is an answer).
func nonEmpty(names ...string) []string {
	out := []string{}
	for _, n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// TailReads returns the fields the stateful part reads of each event the
// stateless part emits, when it reads no more than those (count(), top(),
// groupBy() and stats() of plain aggregates); ok is false otherwise, and
// whole events must be kept.
func (p *Program) TailReads() (fields []string, ok bool) {
	r, isReader := p.chain[0].agg.(fieldReader)
	if !isReader {
		return nil, false
	}
	fields = r.readsOnly()
	if fields == nil {
		return nil, false
	}
	for _, f := range fields {
		if strings.ContainsAny(f, "[]*") {
			return nil, false // array and pattern fields: not one name each
		}
	}
	return fields, true
}
