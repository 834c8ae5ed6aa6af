package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// ev builds an event from name, value pairs.
func ev(kv ...string) *event.Event {
	e := &event.Event{}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Set(kv[i], kv[i+1])
	}
	return e
}

// row renders an event as "a=1 b=2" in field order.
func row(e *event.Event) string {
	parts := make([]string, 0, e.Len())
	for _, f := range e.Fields() {
		parts = append(parts, f.Name+"="+f.Value)
	}
	return strings.Join(parts, " ")
}

var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// compileQuery parses and compiles src, failing the test on any error.
func compileQuery(t testing.TB, src string, opts Options) *Program {
	t.Helper()
	q, diags := cql.Parse(src)
	if diags.HasErrors() {
		t.Fatalf("parse %q: %s", src, renderDiags(src, diags))
	}
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	p, diags := Compile(q, opts)
	if diags.HasErrors() {
		t.Fatalf("compile %q: %s", src, renderDiags(src, diags))
	}
	return p
}

func renderDiags(src string, ds cql.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Render("query", src))
	}
	return b.String()
}

// run compiles and runs src over events and returns the rendered rows.
func run(t testing.TB, src string, events []*event.Event) ([]string, []string) {
	t.Helper()
	p := compileQuery(t, src, Options{})
	rows, warns := p.Run(events)
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = row(r)
	}
	return out, warns
}

// expect checks the rows of src over events, in order.
func expect(t *testing.T, src string, events []*event.Event, want []string) {
	t.Helper()
	got, _ := run(t, src, events)
	if want == nil {
		want = []string{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: rows differ (-want +got):\n%s", src, diff)
	}
}

// expectAnyOrder checks the rows of src over events, ignoring order.
func expectAnyOrder(t *testing.T, src string, events []*event.Event, want []string) {
	t.Helper()
	got, _ := run(t, src, events)
	if want == nil {
		want = []string{}
	}
	sortStrings := cmp.Transformer("sort", func(in []string) []string {
		out := append([]string(nil), in...)
		for i := range out {
			for j := i + 1; j < len(out); j++ {
				if out[j] < out[i] {
					out[i], out[j] = out[j], out[i]
				}
			}
		}
		return out
	})
	if diff := cmp.Diff(want, got, sortStrings); diff != "" {
		t.Errorf("%s: rows differ (-want +got):\n%s", src, diff)
	}
}
