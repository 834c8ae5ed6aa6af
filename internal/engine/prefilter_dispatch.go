package engine

import "sort"

// Dispatch tells, for a raw line, which of many programs' prefilters accept
// it (hunt: a thousand rules in one pass). Detections nearly always name
// their event types, so each program's condition on event_simpleName is
// split off: a line's event name is located once, and the programs whose
// name condition accepts it are looked up in a per-worker cache keyed by the
// name (there are a few hundred event types), so a line of a type no rule
// names costs one key search and one map lookup. Only the programs listed
// for the name have the rest of their prefilter tested, all sharing one
// per-line cache of located keys (the fields most rules test come first).
type Dispatch struct {
	name     keyFinder
	nameCond []pfNode // per program: its condition on the event name's value
	named    []bool   // per program: nameCond is set
	full     []pfNode // per program: its whole prefilter
	always   []bool   // per program: no prefilter (accepts every line)
	all      []int32  // every program: lines whose name cannot be read
}

// maxDispatchNames bounds a DispatchState's cache of event names.
const maxDispatchNames = 4096

// NewDispatch builds the dispatcher over the programs' prefilters (as from
// Program.Prefilter; nil accepts every line).
func NewDispatch(fs []*Prefilter) *Dispatch {
	d := &Dispatch{name: newKeyFinder("event_simpleName")}
	// The keys most programs test get the located-key cache slots.
	freq := map[string]int{}
	for _, f := range fs {
		if f != nil {
			countKeys(f.root, freq)
		}
	}
	order := make([]string, 0, len(freq))
	for k := range freq {
		order = append(order, k)
	}
	sort.Slice(order, func(i, j int) bool {
		if freq[order[i]] != freq[order[j]] {
			return freq[order[i]] > freq[order[j]]
		}
		return order[i] < order[j]
	})
	keys := map[string]int{}
	for i, k := range order {
		if i == maxLocatedKeys {
			break
		}
		keys[k] = i
	}
	for i, f := range fs {
		d.all = append(d.all, int32(i))
		if f == nil {
			d.full = append(d.full, pfNode{op: litTrue, key: -1})
			d.nameCond = append(d.nameCond, pfNode{})
			d.named = append(d.named, false)
			d.always = append(d.always, true)
			continue
		}
		d.always = append(d.always, false)
		d.full = append(d.full, compilePF(f.root, keys))
		if nc := nameCondition(f.root); nc != nil {
			d.nameCond = append(d.nameCond, compilePF(nc, map[string]int{}))
			d.named = append(d.named, true)
		} else {
			d.nameCond = append(d.nameCond, pfNode{})
			d.named = append(d.named, false)
		}
	}
	return d
}

func countKeys(l *litExpr, freq map[string]int) {
	if l.op == litField {
		freq[l.text]++
	}
	for _, k := range l.kids {
		countKeys(k, freq)
	}
}

// nameCondition returns a condition on the event_simpleName value that every
// line l accepts satisfies, or nil when there is none.
func nameCondition(l *litExpr) *litExpr {
	switch l.op {
	case litField:
		if l.text == "event_simpleName" && !l.derived {
			return l.kids[0]
		}
	case litAnd:
		for _, k := range l.kids {
			if c := nameCondition(k); c != nil {
				return c
			}
		}
	case litOr:
		kids := make([]*litExpr, 0, len(l.kids))
		for _, k := range l.kids {
			c := nameCondition(k)
			if c == nil {
				return nil
			}
			kids = append(kids, c)
		}
		return litOr2(kids...)
	}
	return nil
}

// DispatchState is one worker's view of a Dispatch (not safe for
// concurrent use).
type DispatchState struct {
	d     *Dispatch
	cache map[string][]int32
}

// NewState returns a state for one worker.
func (d *Dispatch) NewState() *DispatchState {
	return &DispatchState{d: d, cache: map[string][]int32{}}
}

// Match appends to out the indexes of the programs whose prefilters accept
// line, in program order, and returns it.
func (s *DispatchState) Match(line []byte, out []int32) []int32 {
	var c keyCache
	for _, i := range s.candidates(line) {
		if s.d.always[i] || s.d.full[i].match(line, &c) {
			out = append(out, i)
		}
	}
	return out
}

// candidates lists the programs whose name condition the line's event name
// meets (all of them when the name cannot be read from the raw line).
func (s *DispatchState) candidates(line []byte) []int32 {
	v, end, ok := s.d.name.next(line, 0)
	if !ok || !isStringValue(line[end:]) || hasEscape(v) {
		return s.d.all // absent, not a plain string, or escaped
	}
	if _, _, more := s.d.name.next(line, end); more {
		return s.d.all // several: nested objects or duplicates
	}
	if l, ok := s.cache[string(v)]; ok {
		return l
	}
	var l []int32
	var c keyCache
	for i := range s.d.full {
		if !s.d.named[i] || s.d.nameCond[i].match(v, &c) {
			l = append(l, int32(i))
		}
	}
	if len(s.cache) < maxDispatchNames {
		s.cache[string(v)] = l
	}
	return l
}

func hasEscape(v []byte) bool {
	for _, b := range v {
		if b == '\\' {
			return true
		}
	}
	return false
}

// isStringValue reports whether the value after a key (rest starts right
// after the key's closing quote) is a string.
func isStringValue(rest []byte) bool {
	i := 0
	for i < len(rest) && isJSONSpace(rest[i]) {
		i++
	}
	if i >= len(rest) || rest[i] != ':' {
		return false
	}
	for i++; i < len(rest) && isJSONSpace(rest[i]); i++ {
	}
	return i < len(rest) && rest[i] == '"'
}
