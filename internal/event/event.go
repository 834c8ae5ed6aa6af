// Package event is the record that flows from decoders through enrichment into
// the engine: a flat, ordered set of string fields, as LogScale sees an event.
package event

import (
	"slices"
	"strings"
)

// Well-known field names.
const (
	Timestamp  = "@timestamp" // epoch milliseconds, decimal string
	RawString  = "@rawstring" // the original line
	ID         = "@id"
	SimpleName = "#event_simpleName" // tag copy of Falcon's event_simpleName
)

// Field is one name/value pair. LogScale has no runtime types: values are strings.
type Field struct {
	Name  string
	Value string
}

// Event is a flat map of field name to string value that keeps insertion order.
// Lookups scan linearly: a decoded event holds only the few fields a query
// needs, which is faster than hashing. An event with many fields (a line of
// 100,000 keys, a long splitString) gets a name index, so that building and
// reading it stays linear rather than quadratic.
//
// Strings set through SetBytes live in the event's arena and are reused after
// Reset; call Detach before keeping an event past the next Reset.
type Event struct {
	fields []Field
	arena  Arena
	// index maps names to positions in fields when indexed is set; it is
	// built once the event reaches indexFrom fields and dropped (kept for
	// reuse, but invalid) by anything that moves fields around.
	index   map[string]int32
	indexed bool
}

// indexFrom is the field count from which lookups use the index; below it
// a linear scan is faster than hashing.
const indexFrom = 48

// lookup returns the position of name, or -1.
func (e *Event) lookup(name string) int {
	if len(e.fields) >= indexFrom {
		if !e.indexed {
			e.buildIndex()
		}
		if i, ok := e.index[name]; ok {
			return int(i)
		}
		return -1
	}
	for i := range e.fields {
		if e.fields[i].Name == name {
			return i
		}
	}
	return -1
}

func (e *Event) buildIndex() {
	if e.index == nil {
		e.index = make(map[string]int32, 2*len(e.fields))
	} else {
		clear(e.index)
	}
	for i := range e.fields {
		e.index[e.fields[i].Name] = int32(i)
	}
	e.indexed = true
}

// add appends a field known to be missing.
func (e *Event) add(name, value string) {
	if e.indexed {
		e.index[name] = int32(len(e.fields))
	}
	e.fields = append(e.fields, Field{Name: name, Value: value})
}

// New returns an event holding the given fields in order.
func New(fields ...Field) *Event {
	e := &Event{fields: make([]Field, 0, len(fields))}
	for _, f := range fields {
		e.Set(f.Name, f.Value)
	}
	return e
}

// Reset empties the event, keeping its capacity for reuse.
func (e *Event) Reset() {
	e.indexed = false
	clear(e.fields)
	e.fields = e.fields[:0]
	e.arena.Reset()
}

// Len reports the number of fields.
func (e *Event) Len() int { return len(e.fields) }

// Fields returns the fields in insertion order. The slice is the event's own:
// do not modify it.
func (e *Event) Fields() []Field { return e.fields }

// Get returns the value of a field and whether it exists.
func (e *Event) Get(name string) (string, bool) {
	if len(e.fields) >= indexFrom {
		if i := e.lookup(name); i >= 0 {
			return e.fields[i].Value, true
		}
		return "", false
	}
	for i := range e.fields {
		if e.fields[i].Name == name {
			return e.fields[i].Value, true
		}
	}
	return "", false
}

// Has reports whether the field exists (possibly empty).
func (e *Event) Has(name string) bool {
	_, ok := e.Get(name)
	return ok
}

// Set creates or overwrites a field; a new field goes last.
func (e *Event) Set(name, value string) {
	if len(e.fields) >= indexFrom {
		if i := e.lookup(name); i >= 0 {
			e.fields[i].Value = value
		} else {
			e.add(name, value)
		}
		return
	}
	for i := range e.fields {
		if e.fields[i].Name == name {
			e.fields[i].Value = value
			return
		}
	}
	e.fields = append(e.fields, Field{Name: name, Value: value})
}

// SetIfMissing sets a field only when the event does not have it.
func (e *Event) SetIfMissing(name, value string) bool {
	if e.Has(name) {
		return false
	}
	e.add(name, value)
	return true
}

// SetBytes sets a field to a copy of b held in the event's arena, so that
// decoding a line costs no allocation once the arena has grown.
func (e *Event) SetBytes(name string, b []byte) {
	e.Set(name, e.intern(b))
}

// ArenaString copies b into the event's arena and returns it as a string valid
// until the next Reset. Decoders use it for field names of unknown events.
func (e *Event) ArenaString(b []byte) string { return e.intern(b) }

func (e *Event) intern(b []byte) string { return e.arena.CopyBytes(b) }

// Delete removes a field, keeping the order of the others.
func (e *Event) Delete(name string) {
	i := e.lookup(name)
	if i < 0 {
		return
	}
	if e.indexed {
		if i == len(e.fields)-1 {
			delete(e.index, name) // the others keep their places
		} else {
			e.indexed = false
		}
	}
	copy(e.fields[i:], e.fields[i+1:])
	e.fields[len(e.fields)-1] = Field{}
	e.fields = e.fields[:len(e.fields)-1]
}

// Rename moves a field's value to a new name (replacing any field of that name).
func (e *Event) Rename(from, to string) {
	v, ok := e.Get(from)
	if !ok || from == to {
		return
	}
	e.Delete(from)
	e.Set(to, v)
}

// Keep removes every field whose name is not in names.
func (e *Event) Keep(names []string) {
	e.indexed = false
	out := e.fields[:0]
	for _, f := range e.fields {
		for _, n := range names {
			if f.Name == n {
				out = append(out, f)
				break
			}
		}
	}
	clear(e.fields[len(out):])
	e.fields = out
}

// Clone returns a deep copy that owns all its strings.
func (e *Event) Clone() *Event {
	return cloneOf(e.fields, true)
}

// Project returns a copy of e holding only the fields named (those it has),
// in e's order. The copy's names are those of names.
func (e *Event) Project(names []string) *Event {
	var keep [16]Field
	fields := keep[:0]
	for _, f := range e.fields {
		for _, n := range names {
			if f.Name == n {
				fields = append(fields, Field{Name: n, Value: f.Value})
				break
			}
		}
	}
	return cloneOf(fields, false)
}

// Pick returns a copy of e holding the fields named that it has, in the
// order named; names must not repeat. The copy's names are those of names.
func (e *Event) Pick(names []string) *Event {
	var keep [16]Field
	fields := keep[:0]
	for _, n := range names {
		if v, ok := e.Get(n); ok {
			fields = append(fields, Field{Name: n, Value: v})
		}
	}
	return cloneOf(fields, false)
}

// Narrow is Pick in place, for an event nothing else holds: its strings
// stay where they are, and only the fields named that it has are kept, in
// the order named; names must not repeat.
func (e *Event) Narrow(names []string) {
	var keep [16]Field
	fields := keep[:0]
	for _, n := range names {
		if i := e.lookup(n); i >= 0 {
			fields = append(fields, e.fields[i])
		}
	}
	e.fields = append(e.fields[:0], fields...)
	e.indexed = false
}

// cloneOf makes an event of fields, its values (and its names, with
// names; else they are the caller's, a query's own strings) copied into
// one block (OwnFields).
func cloneOf(fields []Field, names bool) *Event {
	c := &Event{fields: slices.Clone(fields)}
	OwnFields(c.fields, names)
	return c
}

// OwnFields copies the values of fields, and their names with names, into
// one new block the fields then point into: one allocation, not one per
// string. The block is not zeroed first (strings.Builder): a hunt's
// 130,000 alerts spent a tenth of their copying clearing it.
func OwnFields(fields []Field, names bool) {
	n := 0
	for _, f := range fields {
		n += len(f.Value)
		if names {
			n += len(f.Name)
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		if names {
			b.WriteString(f.Name)
		}
		b.WriteString(f.Value)
	}
	block := b.String()
	for i := range fields {
		f := &fields[i]
		if names {
			f.Name, block = block[:len(f.Name)], block[len(f.Name):]
		}
		f.Value, block = block[:len(f.Value)], block[len(f.Value):]
	}
}

// Detach copies every arena-backed string so the event survives Reset of the
// decoder that filled it.
func (e *Event) Detach() {
	e.indexed = false // the index's keys may live in the old arena
	for i := range e.fields {
		e.fields[i].Name = detach(e.fields[i].Name)
		e.fields[i].Value = detach(e.fields[i].Value)
	}
	e.arena = Arena{}
}

func detach(s string) string {
	if s == "" {
		return ""
	}
	return string(append([]byte(nil), s...))
}
