package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestAssignAndExpressions(t *testing.T) {
	one := []*event.Event{ev("x", "7", "s", "Hello")}
	tests := []struct {
		query string
		want  []string
	}{
		// spec §12 #16
		{`a := "2" | b := 4 / lower(a)`, []string{"x=7 s=Hello a=2 b=2"}},
		{`a := "2" | b := format("%s%s", field=[a, a]) + 1`, []string{"x=7 s=Hello a=2 b=23"}},
		{`result := missing > 3`, []string{"x=7 s=Hello"}}, // null: field not created
		{`x := missing * 2`, []string{"x=7 s=Hello"}},      // null: field not overwritten
		{`y := x * 2 + 1`, []string{"x=7 s=Hello y=15"}},
		{`y := x / 2`, []string{"x=7 s=Hello y=3.5"}},
		{`y := x % 4`, []string{"x=7 s=Hello y=3"}},
		{`y := -x`, []string{"x=7 s=Hello y=-7"}},
		{`y := s + 1`, []string{"x=7 s=Hello"}}, // no string +
		{`y := x == 7`, []string{"x=7 s=Hello y=true"}},
		{`y := s == "Hello"`, []string{"x=7 s=Hello y=true"}},
		{`y := s == 7`, []string{"x=7 s=Hello y=false"}},
		{`y := !(x > 3)`, []string{"x=7 s=Hello y=false"}},
		{`y := if(x > 3, then="big", else="small")`, []string{"x=7 s=Hello y=big"}},
		{`y := coalesce([missing, "", s])`, []string{"x=7 s=Hello y=Hello"}},
		{`eval(a = x + 1, b = a * 2)`, []string{"x=7 s=Hello a=8 b=16"}},
		{`upper(s)`, []string{"x=7 s=Hello _upper=HELLO"}},
		{`n := length(s)`, []string{"x=7 s=Hello n=5"}},
		{`c := concat([s, missing, x])`, []string{"x=7 s=Hello c=Hello7"}},
		{`f := format("%05.1f|%-4s|%x|%3d", field=[x, s, x, x])`, []string{"x=7 s=Hello f=007.0|Hello|7|  7"}},
		{`s =~ replace("l+", with="L")`, []string{"x=7 s=HeLo"}},
		{`t := replace("(H)(e)", with="$2$1", field=s)`, []string{"x=7 s=Hello t=eHllo"}},
		{`default(field=[z, s], value="none")`, []string{"x=7 s=Hello z=none"}},
		{`rename(s, as=greeting)`, []string{"x=7 greeting=Hello"}},
		{`rename(field=[[s, a], [x, b]])`, []string{"a=Hello b=7"}},
		{`drop(s)`, []string{"x=7"}},
		{`drop([s, x])`, []string{""}},
		{`select([s, x])`, []string{"s=Hello x=7"}},
		{`n := now()`, []string{"x=7 s=Hello n=1767323045000"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) { expect(t, tt.query, one, tt.want) })
	}
}

func TestSplitStringAndFormatTime(t *testing.T) {
	raw := []*event.Event{ev("@rawstring", "2007-01-01 test bar")}
	// spec §12 #18
	expect(t, `part := splitString(field=@rawstring, by=" ")`, raw,
		[]string{"@rawstring=2007-01-01 test bar part[0]=2007-01-01 part[1]=test part[2]=bar"})
	expect(t, `date := splitString(field=@rawstring, by=" ", index=0)`, raw,
		[]string{"@rawstring=2007-01-01 test bar date=2007-01-01"})
	expect(t, `last := splitString(field=@rawstring, by=" ", index=-1)`, raw,
		[]string{"@rawstring=2007-01-01 test bar last=bar"})

	ts := []*event.Event{ev("@timestamp", "1700000000123", "secs", "1625677521.137")}
	expect(t, `t := formatTime("%Y-%m-%dT%H:%M:%S.%L %Z", field=@timestamp) | select([t])`, ts, []string{"t=2023-11-14T22:13:20.123 UTC"})
	expect(t, `t := formatTime("%F %T", field=secs, timezone="Europe/Paris") | select([t])`, ts, []string{"t=2021-07-07 19:05:21"})
}

func TestRegexExtraction(t *testing.T) {
	// spec §12 #17
	expect(t, `data = /^(?<id>\d{2})(?<payloadLength>\d{4})(?<remaining>.+)$/`,
		[]*event.Event{ev("data", "6800091A3C5B78F4468")},
		[]string{"data=6800091A3C5B78F4468 id=68 payloadLength=0009 remaining=1A3C5B78F4468"})
	events := []*event.Event{
		ev("@rawstring", "user=alice ip=10.0.0.1", "id", "1"),
		ev("@rawstring", "nothing here, really", "id", "2"),
	}
	tests := []struct {
		query string
		want  []string
	}{
		{`regex("user=(?<user.name>\\w+)") | select([id, user.name])`, []string{"id=1 user.name=alice"}},
		{`regex("user=(?<u>\\w+)", strict=false) | select([id, u])`, []string{"id=1 u=alice", "id=2"}},
		{`/ip=(?<@ip[0]>[\d.]+)/ | select([id, "@ip[0]"])`, []string{"id=1 @ip[0]=10.0.0.1"}},
		{`regex("(?<w>\\w+)=", repeat=true) | select([w])`, []string{"w=user", "w=ip"}},
		{`!regex("user") | select([id])`, []string{"id=2"}},
		{`regex("USER", flags="i") | select([id])`, []string{"id=1"}},
		{`@rawstring = /(?<w>\w+)=(?=alice)/ | select([w])`, []string{"w=user"}}, // lookahead: backtracking engine
		{`@rawstring = /(\w)\1/ | select([id])`, []string{"id=2"}},               // back-reference: only "really" has a double letter
		{`/alice/ or /nothing/ | select([id])`, []string{"id=1", "id=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) { expect(t, tt.query, events, tt.want) })
	}
}

func TestCaseSemantics(t *testing.T) {
	clients := []*event.Event{ev("client", "::1"), ev("client", "127.0.0.1"), ev("client", "10.1.2.3")}
	// spec §12 #19 and its variants
	expect(t, `case { client = "::1" | local := "true"; client = "127.0.0.1" | local := "true"; * | local := "false" }`, clients,
		[]string{"client=::1 local=true", "client=127.0.0.1 local=true", "client=10.1.2.3 local=false"})
	expect(t, `case { client = "::1" | local := "true"; * }`, clients,
		[]string{"client=::1 local=true", "client=127.0.0.1", "client=10.1.2.3"})
	expect(t, `case { client = "::1" | local := "true" }`, clients, []string{"client=::1 local=true"})
	// a clause that modifies then filters out: the next clause sees the original
	expect(t, `case { tag := "first" | client = "none"; tag != * | seen := "original" }`, clients,
		[]string{"client=::1 seen=original", "client=127.0.0.1 seen=original", "client=10.1.2.3 seen=original"})
	// the seed dialect: => and drop()
	expect(t, `case { client = "::1" => x := 1; * => drop(); }`, clients, []string{"client=::1 x=1"})
	// nested case
	expect(t, `case { client = "*.*" | case { client = "10.*" | net := "ten"; * | net := "other" }; * | net := "v6" }`, clients,
		[]string{"client=::1 net=v6", "client=127.0.0.1 net=other", "client=10.1.2.3 net=ten"})
}

func TestMatchStatement(t *testing.T) {
	events := []*event.Event{
		ev("logtype", "accesslog", "rt", "5"), ev("logtype", "server_12", "st", "2"), ev("logtype", "a"),
		ev("logtype", "other"), ev("x", "no-logtype"),
	}
	expect(t, `logtype match { "accesslog" => time := rt ; /server_\d+/ => time := st * 1000 ; in(values=[a, b]) => kind := "ab" ; "*" => kind := "has-logtype" ; * => * }`, events,
		[]string{"logtype=accesslog rt=5 time=5", "logtype=server_12 st=2 time=2000", "logtype=a kind=ab",
			"logtype=other kind=has-logtype", "x=no-logtype"})
	// no matching guard: dropped
	expect(t, `logtype match { accesslog => * ; ** => kind := "exists" }`, events,
		[]string{"logtype=accesslog rt=5", "logtype=server_12 st=2 kind=exists", "logtype=a kind=exists", "logtype=other kind=exists"})
	expect(t, `logtype match { true => k := 1 }`, events[3:], []string{"logtype=other k=1", "x=no-logtype k=1"})
}

func TestRepeatInsideCaseAndMatch(t *testing.T) {
	events := []*event.Event{ev("@rawstring", "a=1 b=2", "k", "x"), ev("@rawstring", "none", "k", "y")}
	expect(t, `case { regex("(?<w>\\w)=", repeat=true) | hit := 1; * | hit := 0 } | select([w, hit])`, events,
		[]string{"w=a hit=1", "w=b hit=1", "hit=0"})
	expect(t, `k match { x => regex("(?<w>\\w)=", repeat=true); * => * } | select([k, w])`, events,
		[]string{"k=x w=a", "k=x w=b", "k=y"})
}

func TestFilterFunctionAsValue(t *testing.T) {
	events := []*event.Event{ev("ip", "10.1.2.3"), ev("ip", "8.8.8.8")}
	expect(t, `internal := cidr(ip, subnet="10.0.0.0/8")`, events, []string{"ip=10.1.2.3 internal=true", "ip=8.8.8.8 internal=false"})
	expect(t, `kind := if(cidr(ip, subnet="10.0.0.0/8"), then="lan", else="wan")`, events, []string{"ip=10.1.2.3 kind=lan", "ip=8.8.8.8 kind=wan"})
}
