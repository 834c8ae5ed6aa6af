package engine

import (
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestJoin(t *testing.T) {
	// users and logins share the input, as a join's sub-query shares the repository
	events := []*event.Event{
		ev("type", "user", "uid", "1", "name", "ann", "dept", "ops"),
		ev("type", "user", "uid", "2", "name", "bob"),
		ev("type", "login", "user", "1", "host", "h1"),
		ev("type", "login", "user", "3", "host", "h2"),
		ev("type", "user", "uid", "1", "name", "ann2", "dept", "sec"),
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "inner: only matching events, include copied from the latest row",
			src:  `type=login | join({type=user}, field=user, key=uid, include=[name, dept])`,
			want: []string{"type=login user=1 host=h1 name=ann2 dept=sec"},
		},
		{
			name: "left: non-matching events pass unchanged",
			src:  `type=login | join(query={type=user}, field=user, key=uid, include=[name], mode=left)`,
			want: []string{"type=login user=1 host=h1 name=ann2", "type=login user=3 host=h2"},
		},
		{
			name: "max=2: one event per row, latest first",
			src:  `type=login | join({type=user}, field=user, key=uid, include=[name], max=2)`,
			want: []string{"type=login user=1 host=h1 name=ann2", "type=login user=1 host=h1 name=ann"},
		},
		{
			name: "a row lacking an include field gives the empty string",
			src:  `type=user uid=2 | rename(uid, as=user) | join({type=user}, field=user, key=uid, include=[dept])`,
			want: []string{"type=user name=bob user=2 dept="},
		},
		{
			name: "field =~ join() shorthand; key defaults to field",
			src:  `type=login | uid := user | uid =~ join({type=user | name=ann})`,
			want: []string{"type=login user=1 host=h1 uid=1"},
		},
		{
			name: "negated: !join() keeps events without a match (the docs' right-join shape)",
			src:  `type=login | !join({type=user}, field=user, key=uid)`,
			want: []string{"type=login user=3 host=h2"},
		},
		{
			name: "the sub-query may aggregate",
			src:  `type=login | join({type=user | groupBy(uid, function=count())}, field=user, key=uid, include=[_count])`,
			want: []string{"type=login user=1 host=h1 _count=2"},
		},
		{
			name: "limit bounds the sub-query rows",
			src:  `type=login | join({type=user}, field=user, key=uid, include=[name], limit=1)`,
			want: []string{"type=login user=1 host=h1 name=ann"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { expect(t, tc.src, events, tc.want) })
	}
}

func TestJoinErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`join({a=1})`, "missing required parameter field"},
		{`join(field=a)`, "missing required parameter query"},
		{`join(query=a, field=a)`, "sub-query in braces"},
		{`join({a=1}, field=[a, b], key=c)`, "pair up one to one"},
		{`join({a=1}, field=a, mode=right)`, "mode must be inner or left"},
		{`join({a=1}, field=a, repo=x)`, "repo= is not supported"},
		{`join({a=1}, field=a, max=0)`, "max must be at least 1"},
		{`join({a=1}, field=a, limit=300000)`, "exceeds the maximum"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) { expectCompileErrorMsg(t, tc.src, tc.want) })
	}
}

// TestPrepassPasses checks the pass API the runner uses: a table built from
// another table needs a second pass, and a pass leaves its input unchanged.
func TestPrepassPasses(t *testing.T) {
	src := `defineTable(name="a", query={k=*}, include=[k])
		| defineTable(name="b", query={readFile("a") | v := "seen"}, include=[k, v])
		| match(table="b", field=k)`
	p := compileQuery(t, src, Options{})
	passes := p.Prepass()
	if len(passes) != 2 {
		t.Fatalf("got %d passes, want 2", len(passes))
	}
	in := ev("k", "1")
	for _, ps := range passes {
		needs := ps.Needs()
		if !needs.Wants("k") {
			t.Errorf("pass does not ask for field k")
		}
		ps.Add(in)
		ps.Finish()
	}
	if got := row(in); got != "k=1" {
		t.Errorf("pass changed its input: %s", got)
	}
	var got []string
	tail := p.NewTail(func(e *event.Event) { got = append(got, row(e)) })
	w := p.NewWorker()
	w.Process(ev("k", "1"), tail.Add)
	w.Process(ev("k", "2"), tail.Add)
	tail.Finish()
	if want := "k=1 v=seen"; len(got) != 1 || got[0] != want {
		t.Errorf("main pass rows = %q, want [%q]", got, want)
	}
}

// TestPrepassSkippedWarns: a runner that skips the passes gets a warning,
// not silently empty joins.
func TestPrepassSkippedWarns(t *testing.T) {
	p := compileQuery(t, `join({a=1}, field=a)`, Options{})
	tail := p.NewTail(func(*event.Event) {})
	tail.Finish()
	if w := tail.Warnings(); len(w) != 1 || !strings.Contains(w[0], "Program.Prepass()") {
		t.Errorf("warnings = %q, want one naming Program.Prepass()", w)
	}
	p.runPrepass(nil)
	tail = p.NewTail(func(*event.Event) {})
	if w := tail.Warnings(); len(w) != 0 {
		t.Errorf("after the passes: warnings = %q, want none", w)
	}
}
