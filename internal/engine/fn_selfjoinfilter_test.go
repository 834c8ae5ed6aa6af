package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestSelfJoinFilter(t *testing.T) {
	// the docs' shape: sessions where a login and a failure both happened
	events := []*event.Event{
		ev("id", "1", "action", "login", "n", "a"),
		ev("id", "2", "action", "login", "n", "b"),
		ev("id", "1", "action", "view", "n", "c"),
		ev("id", "1", "status", "fail", "n", "d"),
		ev("action", "login", "status", "fail", "n", "e"),
		ev("id", "3", "action", "login", "status", "fail", "n", "f"),
		ev("id", "2", "action", "logout", "n", "g"),
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "keys satisfying every clause, all their events, input order",
			src:  `selfJoinFilter(id, where=[{action=login}, {status=fail}]) | select(n)`,
			want: []string{"n=a", "n=c", "n=d", "n=f"},
		},
		{
			name: "prefilter: only the events matching a clause",
			src:  `selfJoinFilter(field=id, where=[{action=login}, {status=fail}], prefilter=true) | select(n)`,
			want: []string{"n=a", "n=d", "n=f"},
		},
		{
			name: "one clause",
			src:  `selfJoinFilter(id, where={action=logout}) | select(n)`,
			want: []string{"n=b", "n=g"},
		},
		{
			name: "a composite key",
			src:  `selfJoinFilter(field=[id, action], where=[{n=a}]) | select(n)`,
			want: []string{"n=a"},
		},
		{
			name: "filters before it narrow what it sees",
			src:  `action=login | selfJoinFilter(id, where=[{n=a}, {n=f}]) | select(n)`,
			want: nil,
		},
		{
			name: "clauses may transform without leaking changes",
			src:  `selfJoinFilter(id, where=[{n := "z" | n=z}, {status=fail}]) | select(n)`,
			want: []string{"n=a", "n=c", "n=d", "n=f"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { expect(t, tc.src, events, tc.want) })
	}
}

func TestSelfJoinFilterErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`selfJoinFilter(where=[{a=1}])`, "missing required parameter field"},
		{`selfJoinFilter(id)`, "missing required parameter where"},
		{`selfJoinFilter(id, where=[a])`, "filters in braces"},
		{`selfJoinFilter(id, where=[{count()}])`, "aggregate functions are not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) { expectCompileErrorMsg(t, tc.src, tc.want) })
	}
}
