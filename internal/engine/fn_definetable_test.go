package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestDefineTableAndReadFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hosts.csv"), []byte("host,owner\nh1,ann\nh9,zed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "users.csv"), []byte("username,team\nann,ops\nzed,dev\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	events := []*event.Event{
		ev("kind", "proc", "host", "h1", "image", "nmap"),
		ev("kind", "dns", "host", "h1", "domain", "shodan.io"),
		ev("kind", "dns", "host", "h2", "domain", "ipinfo.io"),
		ev("kind", "proc", "host", "h3", "image", "curl"),
		ev("kind", "proc", "host", "h1", "image", "python"),
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "inner join through match(table=): the latest row wins",
			src: `defineTable(name="procs", query={kind=proc}, include=[host, image])
				| kind=dns | match(table="procs", field=host)`,
			want: []string{"kind=dns host=h1 domain=shodan.io image=python"},
		},
		{
			name: "left join: strict=false keeps the unmatched",
			src: `defineTable(name="procs", query={kind=proc}, include=[host, image])
				| kind=dns | match(table="procs", field=host, strict=false)`,
			want: []string{"kind=dns host=h1 domain=shodan.io image=python", "kind=dns host=h2 domain=ipinfo.io"},
		},
		{
			name: "nrows: one event per row, latest first",
			src: `defineTable(name="procs", query={kind=proc}, include=[host, image])
				| kind=dns | match(table="procs", field=host, nrows=5)`,
			want: []string{"kind=dns host=h1 domain=shodan.io image=python", "kind=dns host=h1 domain=shodan.io image=nmap"},
		},
		{
			name: "file= names an ad-hoc table too; column pairs a different name",
			src: `defineTable(name="dns", query={kind=dns | dnsHost := host}, include=[dnsHost, domain])
				| kind=proc | match(file="dns", field=host, column=dnsHost, include=[domain])`,
			want: []string{"kind=proc host=h1 image=nmap domain=shodan.io", "kind=proc host=h1 image=python domain=shodan.io"},
		},
		{
			name: "include=* keeps every field of the rows",
			src: `defineTable(name="dns", query={kind=dns}, include=*)
				| kind=proc | match(table="dns", field=host)`,
			want: []string{"kind=dns host=h1 image=nmap domain=shodan.io", "kind=dns host=h1 image=python domain=shodan.io"},
		},
		{
			name: "negated match(): hosts without DNS",
			src: `defineTable(name="dns", query={kind=dns}, include=[host])
				| kind=proc | !match(table="dns", field=host)`,
			want: []string{"kind=proc host=h3 image=curl"},
		},
		{
			name: "table of an aggregate; readFile emits it as events (right join)",
			src: `defineTable(name="perhost", query={groupBy(host, function=count())}, include=[host, _count])
				| readFile("perhost") | sort(host, order=asc)`,
			want: []string{"host=h1 _count=3", "host=h2 _count=1", "host=h3 _count=1"},
		},
		{
			name: "readFile(table=, include=, limit=)",
			src: `defineTable(name="procs", query={kind=proc}, include=[host, image])
				| readFile(table="procs", include=[image], limit=2)`,
			want: []string{"image=nmap", "image=curl"},
		},
		{
			name: "readFile of a lookup file and a table, in order; input before it is discarded",
			src: `defineTable(name="procs", query={kind=proc image=curl}, include=[host])
				| kind=dns | readFile(["hosts.csv", "procs"])`,
			want: []string{"host=h1 owner=ann", "host=h9 owner=zed", "host=h3"},
		},
		{
			name: "docs' right join: file rows with no activity in the events",
			src:  `readFile("users.csv") | !join(query={kind=proc | user := "ann" | groupBy(user)}, field=username, key=user)`,
			want: []string{"username=zed team=dev"},
		},
		{
			name: "a table built from another table",
			src: `defineTable(name="a", query={kind=proc}, include=[host])
				| defineTable(name="b", query={kind=dns | match(table="a", field=host)}, include=[domain])
				| readFile("b")`,
			want: []string{"domain=shodan.io"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := compileQuery(t, tc.src, Options{LookupDir: dir})
			rows, _ := p.Run(events)
			got := make([]string, len(rows))
			for i, r := range rows {
				got[i] = row(r)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestDefineTableErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`x=1 | defineTable(name="t", query={a=1}, include=[a])`, "must stand in the query preamble"},
		{`defineTable(name="t", query={a=1})`, "missing required parameter include"},
		{`defineTable(query={a=1}, include=[a])`, "missing required parameter name"},
		{`defineTable(name="t", include=[a])`, "missing required parameter query"},
		{`defineTable(name="t", query={a=1}, include=[a]) | defineTable(name="t", query={a=1}, include=[a])`, "defined twice"},
		{`defineTable(name="t", query={a=1}, include=[a], view=other)`, "view= is not supported"},
		{`defineTable(name="t", query={match(table="t", field=a)}, include=[a])`, "no table \"t\""},
		{`defineTable(name="t", query={a=1}, include=[a]) | match(table="t", field=a, column=b)`, "has no column \"b\""},
		{`readFile(table="nope")`, "no table \"nope\""},
		{`match(table="nope", field=a)`, "no table \"nope\""},
		{`join({defineTable(name="t", query={a=1}, include=[a])}, field=a)`, "must stand in the query preamble"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) { expectCompileErrorMsg(t, tc.src, tc.want) })
	}
}
