package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// TestFilterSemantics covers spec §3: = globs, regexes, missing fields,
// !=, like, numeric comparisons, free text and precedence.
func TestFilterSemantics(t *testing.T) {
	events := []*event.Event{
		ev("id", "1", "url", "/login/start", "status", "200", "user", "Alan Turing"),
		ev("id", "2", "url", "/api/v1", "status", "404", "user", "ada"),
		ev("id", "3", "url", "", "status", "400.0"),
		ev("id", "4", "status", "abc", "msg", "login failed for bob"),
	}
	tests := []struct {
		query string
		want  []string // ids in input order
	}{
		{`url=*login*`, []string{"1"}},
		{`url="/login"`, nil}, // = is anchored
		{`url="/login*"`, []string{"1"}},
		{`url=*`, []string{"1", "2", "3"}}, // exists, also when empty
		{`url=""`, []string{"3"}},
		{`url!=*`, []string{"4"}},
		{`url!=*login*`, []string{"2", "3", "4"}}, // != is true when missing
		{`user=*Turing`, []string{"1"}},
		{`user=*turing`, nil}, // case-sensitive
		{`user=/turing/i`, []string{"1"}},
		{`url=/v\d/`, []string{"2"}}, // regex is unanchored
		{`url like "login"`, []string{"1"}},
		{`status=400`, []string{"3"}}, // numeric equality fallback: 400.0
		{`status>=400`, []string{"2", "3"}},
		{`status<300`, []string{"1"}}, // abc and missing never compare
		{`status>0 status<=404`, []string{"1", "2", "3"}},
		{`login`, []string{"1", "4"}},       // free text over all fields
		{`"failed for"`, []string{"4"}},     // quoted free text
		{`/AD[A]/i`, []string{"2"}},         // regex free text
		{`Login`, nil},                      // case-sensitive
		{`*`, []string{"1", "2", "3", "4"}}, // matches all
		{`true`, []string{"1", "2", "3", "4"}},
		{`false`, nil},
		{`id=1 or id=2 and status=404`, []string{"2"}}, // or binds tighter than and
		{`id=1 or id=2 status=404`, []string{"2"}},     // juxtaposition is and
		{`not id=1 id=2`, []string{"2"}},               // not binds tightest
		{`!(id=1 or id=2)`, []string{"3", "4"}},
		{`id=1 | url=*`, []string{"1"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, _ := run(t, tt.query+" | select([id])", events)
			want := make([]string, 0, len(tt.want))
			for _, id := range tt.want {
				want = append(want, "id="+id)
			}
			if len(got) != len(want) {
				t.Fatalf("got %v, want %v", got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("got %v, want %v", got, want)
				}
			}
		})
	}
}

// TestFreeTextSeesOriginalEvent: free text ignores fields added by earlier steps.
func TestFreeTextSeesOriginalEvent(t *testing.T) {
	expect(t, `x := "needle" | needle | select([id])`, []*event.Event{ev("id", "1")}, nil)
	expect(t, `x := "needle" | x=needle | select([id])`, []*event.Event{ev("id", "1")}, []string{"id=1"})
}

func TestInFunction(t *testing.T) {
	events := []*event.Event{
		ev("id", "1", "loglevel", "ERROR"), ev("id", "2", "loglevel", "INFO"),
		ev("id", "3", "loglevel", "WARN"), ev("id", "4"), ev("id", "5", "loglevel", "warning"),
	}
	tests := []struct {
		query string
		want  []string
	}{
		{`in(loglevel, values=["ERROR", "WARN"])`, []string{"id=1", "id=3"}},
		{`in(loglevel, ignoreCase=true, values=["error", "warn"])`, []string{"id=1", "id=3"}}, // spec §12 #11
		{`in(field=loglevel, values=["W*"])`, []string{"id=3"}},
		{`in(loglevel, values=["w*"], ignoreCase=true)`, []string{"id=3", "id=5"}},
		{`!in(loglevel, values=["ERROR", "WARN"])`, []string{"id=2", "id=4", "id=5"}}, // missing passes the negation
		{`loglevel =~ in(values=["INFO"])`, []string{"id=2"}},
		{`loglevel in ["INFO", "WARN"]`, []string{"id=2", "id=3"}}, // dialect
		{`not in(field=loglevel, values=["INFO"]) and id=2`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) { expect(t, tt.query+" | select([id])", events, tt.want) })
	}
}

func TestWildcardFunction(t *testing.T) {
	animals := []*event.Event{
		ev("animal", "horse"), ev("animal", "Horse"), ev("animal", "duck"), ev("animal", "HORSES"),
		ev("animal", "crazy hOrSe"), ev("animal", "hooorse"), ev("animal", "dancing with horses"),
	}
	// spec §12 #8
	expect(t, `wildcard(field=animal, pattern=horse, ignoreCase=false)`, animals, []string{"animal=horse"})
	expect(t, `wildcard(field=animal, pattern=horse, ignoreCase=true)`, animals, []string{"animal=horse", "animal=Horse"})
	expect(t, `wildcard(field=animal, pattern=*h*rse*, ignoreCase=true)`, animals, []string{
		"animal=horse", "animal=Horse", "animal=HORSES", "animal=crazy hOrSe", "animal=hooorse", "animal=dancing with horses"})
	// spec §12 #9
	three := []*event.Event{ev("animal", "horse"), ev("animal", "seahorse"), ev("machine", "car")}
	expect(t, `wildcard(field=animal, pattern=*, includeEverythingOnAsterisk=true)`, three, []string{"animal=horse", "animal=seahorse", "machine=car"})
	expect(t, `wildcard(field=animal, pattern=*)`, three, []string{"animal=horse", "animal=seahorse"})
}

func TestCIDR(t *testing.T) {
	events := []*event.Event{
		ev("ip", "10.1.2.3"), ev("ip", "192.168.0.1"), ev("ip", "2001:db8::1"), ev("ip", "not-an-ip"), ev("other", "x"),
		ev("ips[0]", "8.8.8.8", "ips[1]", "10.0.0.1"),
	}
	expect(t, `cidr(ip, subnet="10.0.0.0/8")`, events, []string{"ip=10.1.2.3"})
	expect(t, `cidr(ip, subnet=["192.168.0.0/16", "2001:db8::/32"])`, events, []string{"ip=192.168.0.1", "ip=2001:db8::1"})
	expect(t, `!cidr(ip, subnet="10.0.0.0/8") | ip=*`, events, []string{"ip=192.168.0.1", "ip=2001:db8::1", "ip=not-an-ip"})
	expect(t, `cidr("ips[]", subnet="10.0.0.0/8")`, events, []string{"ips[0]=8.8.8.8 ips[1]=10.0.0.1"})
}

func TestTestFunction(t *testing.T) {
	events := []*event.Event{ev("a", "1", "b", "2"), ev("a", "5", "b", "2"), ev("a", "x", "b", "x")}
	expect(t, `test(a < b)`, events, []string{"a=1 b=2"})
	expect(t, `test(a == b)`, events, []string{"a=x b=x"})
	expect(t, `!test(a > 1)`, events, []string{"a=1 b=2", "a=x b=x"})
}

// An OR of tests of one field is one test reading the field once; it
// passes what the chain passes, wherever other fields' tests break the
// chain, and in() is the same test.
func TestOrOfOneField(t *testing.T) {
	events := []*event.Event{
		ev("id", "1", "f", "alpha"),
		ev("id", "2", "f", "BETA"),
		ev("id", "3", "g", "gamma"),
		ev("id", "4", "f", "delta", "g", "x"),
		ev("id", "5"),
		ev("id", "6", "f", "10"),
	}
	tests := []struct {
		query string
		want  []string
		anyOf int // the matchers of the anyOfTester the filter compiles to (0: none)
	}{
		{`f=alpha or f=/beta/i or f=delta | select([id])`, []string{"id=1", "id=2", "id=4"}, 3},
		{`f=/^a/ or f=/^d/ or g=gamma or f=10 | select([id])`, []string{"id=1", "id=3", "id=4", "id=6"}, 0},
		{`(f=alpha or f=/beta/i) or (f=delta or f=nothing) | select([id])`, []string{"id=1", "id=2", "id=4"}, 4},
		{`in(f, values=[alpha, "delta"]) or f=10 | select([id])`, []string{"id=1", "id=4", "id=6"}, 3},
		{`not (f=alpha or f=delta) | select([id])`, []string{"id=2", "id=3", "id=5", "id=6"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			expect(t, tt.query, events, tt.want)
			q, _ := cql.Parse(tt.query)
			f := q.Pipeline.Steps[0].(*cql.FilterStep).Filter
			tester, err := (&compiler{}).compileFilter(f)
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			if a, ok := tester.(*anyOfTester); ok {
				got = len(a.ms)
			}
			if got != tt.anyOf {
				t.Errorf("compiled to %T with %d matchers, want an anyOfTester of %d", tester, got, tt.anyOf)
			}
		})
	}
}
