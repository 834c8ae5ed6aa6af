package enrich

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// holdRun feeds events (already decoded) through a Holder the way a runner
// does (an admitted line goes on at once, released ones after it), and
// returns the ids in the order they come out.
func holdRun(t *testing.T, e *Enricher, h *Holder, events []*event.Event) []string {
	t.Helper()
	var out, released []string
	release := func(line []byte) { released = append(released, string(line)) }
	for _, x := range events {
		id, _ := x.Get("id")
		if !h.Admit(x, []byte(id), release) {
			out = append(out, id)
		}
		out = append(out, released...)
		released = released[:0]
		if h.Held() > h.max {
			t.Fatalf("holding %d events, bound %d", h.Held(), h.max)
		}
	}
	h.Flush(release)
	return append(out, released...)
}

func pr2At(id, pid string, secs int) *event.Event {
	return ev("id", id, "event_simpleName", "ProcessRollup2", "aid", "a1", "TargetProcessId", pid,
		"ImageFileName", "/usr/bin/"+id, "ContextTimeStamp", fmt.Sprintf("%d.000", secs))
}

func dnsAt(id, pid string, secs int) *event.Event {
	return ev("id", id, "event_simpleName", "DnsRequest", "aid", "a1", "ContextProcessId", pid,
		"ContextBaseFileName", "base", "ContextTimeStamp", fmt.Sprintf("%d.000", secs))
}

func TestHolderOrder(t *testing.T) {
	tests := []struct {
		name   string
		opts   HoldOptions
		events []*event.Event
		order  []string
		falls  int64 // released by a bound without their process
	}{
		{"in order passes straight", HoldOptions{},
			[]*event.Event{pr2At("curl", "1", 100), dnsAt("d1", "1", 101)},
			[]string{"curl", "d1"}, 0},
		{"early context waits for its process", HoldOptions{},
			[]*event.Event{dnsAt("d1", "1", 101), dnsAt("d2", "2", 102), dnsAt("d3", "1", 103), pr2At("curl", "1", 100)},
			[]string{"curl", "d1", "d3", "d2"}, 1},
		{"count bound releases the oldest", HoldOptions{MaxEvents: 2},
			[]*event.Event{dnsAt("d1", "1", 101), dnsAt("d2", "1", 102), dnsAt("d3", "1", 103), pr2At("curl", "1", 100)},
			[]string{"d1", "curl", "d2", "d3"}, 1},
		{"lateness bound on the same sensor", HoldOptions{MaxLateness: time.Minute},
			[]*event.Event{dnsAt("d1", "1", 100), pr2At("other", "9", 161), pr2At("curl", "1", 162)},
			[]string{"other", "d1", "curl"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewStream(Options{})
			h := e.NewHolder(tc.opts)
			got := holdRun(t, e, h, tc.events)
			if !slices.Equal(got, tc.order) {
				t.Errorf("order %v, want %v", got, tc.order)
			}
			if st := e.Stats(); st.HeldFallbacks != tc.falls {
				t.Errorf("fallbacks %d, want %d", st.HeldFallbacks, tc.falls)
			}
		})
	}
}

// After the Holder, Apply enriches a held event with its process (whatever
// the worker interleaving: Apply no longer learns), and one released by a
// bound with ContextBaseFileName.
func TestHolderThenApply(t *testing.T) {
	e := NewStream(Options{})
	h := e.NewHolder(HoldOptions{MaxEvents: 1})
	if e.Streaming() {
		t.Error("with a Holder, Apply must not need the learn lines")
	}
	byID := map[string]*event.Event{}
	var events []*event.Event
	for _, x := range []*event.Event{dnsAt("late", "7", 99), dnsAt("early", "1", 101), pr2At("curl", "1", 100)} {
		id, _ := x.Get("id")
		byID[id] = x
		events = append(events, x.Clone())
	}
	for _, id := range holdRun(t, e, h, events) {
		e.Apply(byID[id])
	}
	for id, want := range map[string]string{"early": "curl", "late": "base"} {
		if v, _ := byID[id].Get(FieldContextProcessName); v != want {
			t.Errorf("%s: ContextProcessName %q, want %q", id, v, want)
		}
	}
}

// Memory stays bounded when processes never come.
func TestHolderBoundedWithOrphans(t *testing.T) {
	e := NewStream(Options{})
	h := e.NewHolder(HoldOptions{MaxEvents: 100})
	var events []*event.Event
	for i := range 5000 {
		events = append(events, dnsAt(fmt.Sprint("d", i), fmt.Sprint(1000+i), 100))
	}
	out := holdRun(t, e, h, events)
	if len(out) != 5000 || out[0] != "d0" || out[4999] != "d4999" {
		t.Errorf("got %d events (first %q), want all 5000 in order", len(out), out[0])
	}
	if len(h.queue) > 2*4096+200 {
		t.Errorf("queue kept %d slots", len(h.queue))
	}
}

// A context event's key, found ahead of the Holder for its prefetch, is
// the one the Holder looks up: the sensor's number and the process id;
// none for a sensor not numbered yet or an id that is no number.
func TestContextKeyOf(t *testing.T) {
	e := NewStream(Options{})
	h := e.NewHolder(HoldOptions{})
	h.Admit(pr2At("curl", "7", 100), []byte("curl"), func([]byte) {})
	a1, _ := e.aids.lookup("a1")
	for _, tc := range []struct {
		aid, pid string
		want     ContextKey
	}{
		{"a1", "7", ContextKey{procKey{a1, 7}, true}},
		{"a1", "1844674407370955161", ContextKey{procKey{a1, 1844674407370955161}, true}},
		{"a2", "7", ContextKey{}},  // no number yet
		{"a1", "0", ContextKey{}},  // no process
		{"a1", "7x", ContextKey{}}, // no number
		{"a1", "", ContextKey{}},
	} {
		got := h.ContextKeyOf([]byte(tc.aid), []byte(tc.pid))
		if got.ok != tc.want.ok || got.ok && got.k != tc.want.k {
			t.Errorf("ContextKeyOf(%s, %s) = %+v, want %+v", tc.aid, tc.pid, got, tc.want)
		}
	}
}

// A context event admitted by its key found ahead is held and released as
// when admitted by its raw values: the same sensor clock, the same
// process, the fallback for a sensor not numbered yet or a pid the key
// does not read.
func TestAdmitContextKeyAsAdmitContext(t *testing.T) {
	type ctxEvent struct {
		aid, pid string
		secs     int
	}
	events := []ctxEvent{{"a2", "9", 100}, {"a1", "7", 101}, {"a1", " 8", 102}, {"a1", "8", 103}, {"a2", "9", 2000}, {"a1", "7", 2001}}
	run := func(byKey bool) []string {
		e := NewStream(Options{})
		h := e.NewHolder(HoldOptions{MaxEvents: 3})
		var out []string
		release := func(line []byte) { out = append(out, "released "+string(line)) }
		h.Admit(pr2At("curl", "5", 99), []byte("start"), release) // numbers a1
		for i, x := range events {
			line := []byte(fmt.Sprintf("ctx%d", i))
			var held bool
			if byKey {
				k := h.ContextKeyOf([]byte(x.aid), []byte(x.pid))
				held = h.AdmitContextKey(k, []byte(x.aid), []byte(x.pid), float64(x.secs), false, line, release)
			} else {
				held = h.AdmitContext(x.aid, x.pid, float64(x.secs), false, line, release)
			}
			out = append(out, fmt.Sprintf("%s held %v", line, held))
		}
		h.Admit(pr2At("sh", "8", 2002), []byte("start 8"), release)
		h.Flush(release)
		return out
	}
	want, got := run(false), run(true)
	if !slices.Equal(got, want) {
		t.Errorf("by key:\n%v\nby values:\n%v", got, want)
	}
	if !slices.Contains(want, "ctx1 held true") || !slices.Contains(want, "released ctx3") {
		t.Errorf("the sequence holds and releases nothing worth comparing: %v", want)
	}
}
