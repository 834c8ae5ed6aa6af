package engine

import (
	"github.com/tiercel/tiercel/internal/event"
)

func init() {
	registerFunc("regex", &funcImpl{
		params: []string{"regex", "field", "flags", "strict", "repeat", "limit"},
		step:   compileRegexStep,
		test: func(c *compiler, a *args) (tester, error) {
			r, field, err := regexArgs(a)
			if err != nil {
				return nil, err
			}
			return &fieldTester{field: field, m: regexMatcher{r}}, nil
		},
	})
}

func regexArgs(a *args) (*lsRegex, string, error) {
	// LogScale's parameter table gives regex() the default flag m.
	r, err := a.regex("regex", "m")
	if err != nil {
		return nil, "", err
	}
	field, err := a.fieldName("field", event.RawString)
	return r, field, err
}

func compileRegexStep(c *compiler, a *args) (any, error) {
	r, field, err := regexArgs(a)
	if err != nil {
		return nil, err
	}
	strict, err := a.boolean("strict", true)
	if err != nil {
		return nil, err
	}
	repeat, err := a.boolean("repeat", false)
	if err != nil {
		return nil, err
	}
	limit, err := a.limit("limit", 100, 1<<31-1)
	if err != nil {
		return nil, err
	}
	return c.extractStage(r, []string{field}, strict, repeat, limit), nil
}

// extractStage builds the step that matches r against the first present
// field of fields and sets one field per named group.
func (c *compiler) extractStage(r *lsRegex, fields []string, strict, repeat bool, limit int) any {
	s := &extractStep{re: r, fields: fields, strict: strict}
	if repeat {
		return &repeatExtractStep{extractStep: *s, limit: limit}
	}
	return s
}

type extractStep struct {
	re     *lsRegex
	fields []string
	strict bool
}

func (s *extractStep) value(ev *event.Event) (string, bool) {
	for _, f := range s.fields {
		if v, ok := ev.Get(f); ok {
			return v, true
		}
	}
	return "", false
}

func (s *extractStep) apply(_ *exec, ev *event.Event) bool {
	v, ok := s.value(ev)
	if !ok {
		return !s.strict
	}
	if len(s.re.groups) == 0 {
		return s.re.matchString(v) || !s.strict
	}
	matched := s.re.submatch(v, func(field, value string, present bool) {
		if present {
			ev.Set(field, value)
		}
	})
	return matched || !s.strict
}

func (s *extractStep) writes() []string {
	out := make([]string, len(s.re.groups))
	for i, g := range s.re.groups {
		out[i] = g.field
	}
	return out
}

// repeatExtractStep emits one event per match (regex(repeat=true), /re/g).
type repeatExtractStep struct {
	extractStep
	limit int
}

func (s *repeatExtractStep) each(x *exec, ev *event.Event, emit func(*event.Event)) {
	v, ok := s.value(ev)
	if !ok {
		if !s.strict {
			emit(ev)
		}
		return
	}
	// Each match is a copy of the event: on a long line, matches × line
	// size is what the copies hold until the tail takes them.
	size := eventSize(ev)
	var held int64
	defer func() { x.release(held) }()
	n := s.re.allSubmatches(v, s.limit, func(groups func(func(string, string, bool))) {
		x.charge("regex", size)
		held += size
		out := &event.Event{}
		out.CopyFrom(ev)
		groups(func(field, value string, present bool) {
			if present {
				out.Set(field, value)
			}
		})
		emit(out)
	})
	if n == 0 && !s.strict {
		emit(ev)
	}
}
