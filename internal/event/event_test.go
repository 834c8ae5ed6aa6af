package event

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

func TestEventFieldOperations(t *testing.T) {
	tests := []struct {
		name string
		do   func(e *Event)
		want []Field
	}{
		{"set appends in order", func(e *Event) { e.Set("c", "3") },
			[]Field{{"a", "1"}, {"b", "2"}, {"c", "3"}}},
		{"set overwrites in place", func(e *Event) { e.Set("a", "x") },
			[]Field{{"a", "x"}, {"b", "2"}}},
		{"set if missing keeps existing", func(e *Event) { e.SetIfMissing("a", "x"); e.SetIfMissing("c", "3") },
			[]Field{{"a", "1"}, {"b", "2"}, {"c", "3"}}},
		{"delete keeps order", func(e *Event) { e.Set("c", "3"); e.Delete("b") },
			[]Field{{"a", "1"}, {"c", "3"}}},
		{"delete missing is a no-op", func(e *Event) { e.Delete("zz") },
			[]Field{{"a", "1"}, {"b", "2"}}},
		{"rename moves the value last", func(e *Event) { e.Rename("a", "z") },
			[]Field{{"b", "2"}, {"z", "1"}}},
		{"rename onto an existing field replaces it", func(e *Event) { e.Rename("a", "b") },
			[]Field{{"b", "1"}}},
		{"rename of a missing field does nothing", func(e *Event) { e.Rename("q", "b") },
			[]Field{{"a", "1"}, {"b", "2"}}},
		{"keep filters fields", func(e *Event) { e.Set("c", "3"); e.Keep([]string{"c", "a", "nope"}) },
			[]Field{{"a", "1"}, {"c", "3"}}},
		{"set empty value still exists", func(e *Event) { e.Set("e", "") },
			[]Field{{"a", "1"}, {"b", "2"}, {"e", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(Field{"a", "1"}, Field{"b", "2"})
			tt.do(e)
			if diff := cmp.Diff(tt.want, e.Fields()); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEventArenaAndDetach(t *testing.T) {
	e := &Event{}
	buf := []byte("hello")
	e.SetBytes("greeting", buf)
	buf[0] = 'j' // the event holds its own copy
	if v, _ := e.Get("greeting"); v != "hello" {
		t.Fatalf("SetBytes kept a reference to the caller's buffer: %q", v)
	}
	kept := e.Clone()
	e.Detach()
	e.Reset()
	e.SetBytes("other", []byte("XXXXX")) // reuses the arena
	if v, _ := kept.Get("greeting"); v != "hello" {
		t.Errorf("clone changed after the source's arena was reused: %q", v)
	}
	if e.Has("greeting") || e.Len() != 1 {
		t.Errorf("Reset did not empty the event: %v", e.Fields())
	}
	// Many values force new arena blocks; earlier strings must stay intact.
	e.Reset()
	for i := 0; i < 600; i++ { // 600 distinct two-letter names
		e.SetBytes(string(rune('a'+i%26))+string(rune('a'+i/26%26)), []byte{byte('0' + i%10)})
	}
	if v, _ := e.Get("aa"); v != "0" {
		t.Errorf("early arena string corrupted: %q", v)
	}
}

func TestNeeds(t *testing.T) {
	var n Needs
	n.Add("b")
	n.Add("a")
	n.Add("b")
	n.Add(RawString)
	n.AddPrefix("Attacks[")
	if diff := cmp.Diff([]string{"a", "b"}, n.Fields); diff != "" {
		t.Errorf("fields sorted and unique (-want +got):\n%s", diff)
	}
	if !n.Raw {
		t.Error("@rawstring should set Raw")
	}
	for name, want := range map[string]bool{"a": true, "b": true, "c": false, "Attacks[0].x": true, "Attack": false} {
		if got := n.Wants(name); got != want {
			t.Errorf("Wants(%q) = %v, want %v", name, got, want)
		}
	}
	var m Needs
	m.Merge(n)
	m.Merge(Needs{All: true})
	if !m.All || !m.Raw || len(m.Fields) != 2 || !m.Wants("anything") {
		t.Errorf("merge lost something: %+v", m)
	}
}

func TestParseAndFormatNumber(t *testing.T) {
	parse := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"400", 400, true}, {" 42 ", 42, true}, {"-1.5", -1.5, true}, {"1e3", 1000, true},
		{"", 0, false}, {"abc", 0, false}, {"NaN", 0, false}, {"Inf", 0, false}, {"0x10", 0, false},
	}
	for _, tt := range parse {
		got, ok := ParseNumber(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	format := map[float64]string{2: "2", 2.5: "2.5", -3: "-3", 0.1: "0.1", 1e20: "100000000000000000000"}
	for in, want := range format {
		if got := FormatNumber(in); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", in, got, want)
		}
		if got := string(AppendNumber([]byte("x="), in)); got != "x="+want {
			t.Errorf("AppendNumber(x=, %v) = %q, want %q", in, got, "x="+want)
		}
	}
}

// Events with many fields index their names: every operation must agree
// with the linear scan, through growth, deletes, Keep, Reset and reuse.
func TestEventIndexAgreesWithScan(t *testing.T) {
	var e Event
	for round := range 2 {
		e.Reset()
		n := 3 * indexFrom
		for i := range n {
			e.Set(fmt.Sprintf("f%d", i), fmt.Sprint(i+round))
		}
		e.Set("f5", "five") // overwrite, no new field
		if e.Len() != n {
			t.Fatalf("len %d, want %d", e.Len(), n)
		}
		if v, _ := e.Get("f5"); v != "five" {
			t.Errorf("f5 = %q", v)
		}
		e.Delete(fmt.Sprintf("f%d", n-1)) // last: index kept
		e.Delete("f7")                    // middle: index rebuilt
		if e.Has("f7") || e.Has(fmt.Sprintf("f%d", n-1)) {
			t.Error("deleted field still found")
		}
		if v, ok := e.Get("f8"); !ok || v != fmt.Sprint(8+round) {
			t.Errorf("f8 after delete = %q, %v", v, ok)
		}
		if !e.SetIfMissing("new", "x") || e.SetIfMissing("f9", "y") {
			t.Error("SetIfMissing wrong")
		}
		for i, f := range e.Fields() {
			if got, _ := e.Get(f.Name); got != f.Value {
				t.Fatalf("field %d %s: Get = %q, want %q", i, f.Name, got, f.Value)
			}
		}
		e.Rename("f10", "ten")
		if v, _ := e.Get("ten"); v != fmt.Sprint(10+round) || e.Has("f10") {
			t.Error("rename wrong")
		}
		keep := make([]string, 0, indexFrom+2)
		for i := range indexFrom + 2 {
			keep = append(keep, fmt.Sprintf("f%d", 20+i))
		}
		e.Keep(keep)
		if e.Len() != len(keep) || !e.Has("f21") || e.Has("f5") {
			t.Errorf("after Keep: len %d", e.Len())
		}
		c := e.Clone()
		if v, _ := c.Get("f30"); v != fmt.Sprint(30+round) {
			t.Errorf("clone f30 = %q", v)
		}
	}
}

// 100,000 fields are set and read in linear time (the scan made this 20 s).
func TestEventManyFieldsLinear(t *testing.T) {
	names := make([]string, 100_000)
	for i := range names {
		names[i] = "k" + strconv.Itoa(i)
	}
	start := time.Now()
	var e Event
	for _, n := range names {
		e.Set(n, "v")
	}
	for _, n := range names {
		if !e.Has(n) {
			t.Fatal("missing", n)
		}
	}
	if d := time.Since(start); d > 10*time.Second { // the scan took 20 s; generous for -race
		t.Errorf("100k fields took %v", d)
	}
}

func BenchmarkEventSet100kFields(b *testing.B) {
	names := make([]string, 100_000)
	for i := range names {
		names[i] = "k" + strconv.Itoa(i)
	}
	var e Event
	for b.Loop() {
		e.Reset()
		for _, n := range names {
			e.Set(n, "v")
		}
	}
}

// Project keeps the event's order; Pick the order asked for.
func TestProjectAndPick(t *testing.T) {
	src := func() *Event {
		var e Event
		for _, f := range []string{"c", "a", "b", "d"} {
			e.Set(f, "v"+f)
		}
		return &e
	}
	tests := []struct {
		names   []string
		project []Field
		pick    []Field
	}{
		{[]string{"b", "a"}, []Field{{"a", "va"}, {"b", "vb"}}, []Field{{"b", "vb"}, {"a", "va"}}},
		{[]string{"d", "missing", "c"}, []Field{{"c", "vc"}, {"d", "vd"}}, []Field{{"d", "vd"}, {"c", "vc"}}},
		{nil, []Field{}, []Field{}},
	}
	for _, tc := range tests {
		e := src()
		project, pick := e.Project(tc.names), e.Pick(tc.names)
		if diff := cmp.Diff(tc.project, project.Fields()); diff != "" {
			t.Errorf("Project(%v) (-want +got):\n%s", tc.names, diff)
		}
		if diff := cmp.Diff(tc.pick, pick.Fields()); diff != "" {
			t.Errorf("Pick(%v) (-want +got):\n%s", tc.names, diff)
		}
		e.Narrow(tc.names) // Pick in place
		if diff := cmp.Diff(tc.pick, e.Fields()); diff != "" {
			t.Errorf("Narrow(%v) (-want +got):\n%s", tc.names, diff)
		}
	}
}

// Clone, Project, Pick and OwnFields copy the values (Clone and OwnFields
// with names, the names too) out of the buffer the event was read from:
// overwriting it changes no copy, of a few fields or of more than a copy
// keeps on the stack.
func TestCopiesOwnTheirValues(t *testing.T) {
	for _, n := range []int{1, 3, 20} {
		buf := []byte{}
		var e Event
		var names []string
		var want []Field
		for i := range n {
			name, value := fmt.Sprintf("k%d", i), fmt.Sprintf("value %d", i)
			start := len(buf)
			buf = append(buf, name+value...)
			e.Set(unsafe.String(&buf[start], len(name)), unsafe.String(&buf[start+len(name)], len(value)))
			names = append(names, name)
			want = append(want, Field{name, value})
		}
		owned := slices.Clone(e.Fields())
		OwnFields(owned, true)
		copies := map[string]*Event{"Clone": e.Clone(), "Project": e.Project(names), "Pick": e.Pick(names), "OwnFields": {fields: owned}}
		for i := range buf {
			buf[i] = '#'
		}
		for how, c := range copies {
			if diff := cmp.Diff(want, c.Fields()); diff != "" {
				t.Errorf("%d fields, %s after the buffer was overwritten (-want +got):\n%s", n, how, diff)
			}
		}
	}
}

// Narrow on an event with a name index (many fields) leaves lookups right.
func TestNarrowIndexed(t *testing.T) {
	var e Event
	for i := range indexFrom + 10 {
		e.Set(fmt.Sprintf("f%d", i), fmt.Sprintf("v%d", i))
	}
	if v, _ := e.Get("f50"); v != "v50" { // builds the index
		t.Fatalf("f50 = %q", v)
	}
	e.Narrow([]string{"f50", "f3", "nope", "f0"})
	want := []Field{{"f50", "v50"}, {"f3", "v3"}, {"f0", "v0"}}
	if diff := cmp.Diff(want, e.Fields()); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	for _, f := range want {
		if v, ok := e.Get(f.Name); !ok || v != f.Value {
			t.Errorf("Get(%s) = %q, %v", f.Name, v, ok)
		}
	}
	if _, ok := e.Get("f7"); ok {
		t.Error("a field narrowed away is still found")
	}
}
