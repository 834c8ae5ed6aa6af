package engine

import (
	"strconv"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

func TestCommunityID(t *testing.T) {
	events := []*event.Event{
		ev("s", "1.2.3.4", "sp", "4584", "d", "43.3.132.3", "dp", "3483", "p", "tcp"),
		ev("s", "43.3.132.3", "sp", "3483", "d", "1.2.3.4", "dp", "4584", "p", "6"),
		ev("s", "1.2.3.4", "sp", "99999", "d", "43.3.132.3", "dp", "3483", "p", "tcp"),
		ev("s", "1.2.3", "sp", "1", "d", "43.3.132.3", "dp", "3483", "p", "tcp"),
	}
	// Community ID specification vectors; both directions hash alike;
	// invalid input gives the empty string (functions-communityid).
	expect(t, "communityId(sourceip=s, sourceport=sp, destinationip=d, destinationport=dp, proto=p) | select(_community_id)", events, []string{
		"_community_id=1:koNcqhFRD5kb254ZrLsdv630jCM=", "_community_id=1:koNcqhFRD5kb254ZrLsdv630jCM=", "_community_id=", "_community_id="})
	expect(t, `p := "udp" | id := communityId(sourceip=s, destinationip=d, proto=p) | select(id)`, events[:1], []string{"id=1:7TrrMeH98PrUKC0ySu3RNmpUr48="})
	// ICMP echo request and reply are one flow.
	icmp := []*event.Event{
		ev("s", "192.168.0.89", "d", "192.168.0.1", "p", "icmp", "t", "8", "c", "0"),
		ev("s", "192.168.0.1", "d", "192.168.0.89", "p", "1", "t", "0", "c", "0"),
	}
	got, _ := run(t, "communityId(sourceip=s, destinationip=d, proto=p, icmptype=t, icmpcode=c) | select(_community_id)", icmp)
	if len(got) != 2 || got[0] != got[1] || got[0] == "_community_id=" {
		t.Errorf("ICMP request/reply ids: %v", got)
	}
	expectCompileErrorMsg(t, "communityId(sourceip=s, destinationip=d, proto=p, sourceport=sp)", "both sourceport and destinationport")
}

func TestSubnetHashInterval(t *testing.T) {
	events := []*event.Event{ev("ipAddress", "192.168.3.77", "a", "x", "b", "y"), ev("ipAddress", "2001:db8::7", "a", "x", "b", "z")}
	// functions-subnet: subnet(ipAddress, bits=23, as=subnet)
	expect(t, "subnet(ipAddress, bits=23, as=subnet) | select(subnet)", events, []string{"subnet=192.168.2.0/23", "subnet=2001:c00::/23"})
	expectCompileErrorMsg(t, "subnet(ipAddress)", "missing required parameter bits")

	// functions-hash: same values and seed, same hash; limit bounds it; seeds differ.
	got, _ := run(t, "h1 := hash(a) | h2 := hash([a, b], limit=10) | h3 := hash(field=[a], seed=10) | h4 := hash(field=[a], seed=20) | select([h1, h2, h3, h4])", events)
	var first [4]string
	for i, r := range got {
		e := parseRow(r)
		for j, f := range []string{"h1", "h2", "h3", "h4"} {
			n, err := strconv.ParseUint(e[f], 10, 64)
			if err != nil || n > 4294967295 || f == "h2" && n >= 10 {
				t.Errorf("row %d: %s=%q out of range", i, f, e[f])
			}
			if i == 0 {
				first[j] = e[f]
			}
		}
		if e["h1"] != first[0] || e["h3"] != first[2] {
			t.Errorf("same value hashed differently: %v vs %v", r, first)
		}
		if e["h3"] == e["h4"] {
			t.Errorf("seeds 10 and 20 give the same hash: %v", r)
		}
	}
	// MurmurHash3 x86_32 reference values.
	for _, tc := range []struct {
		in   string
		seed uint32
		want uint32
	}{{"", 0, 0}, {"", 1, 0x514E28B7}, {"hello", 0, 0x248BFA47}, {"Hello, world!", 1234, 0xFAF6CDB3}} {
		if got := murmur3([]byte(tc.in), tc.seed); got != tc.want {
			t.Errorf("murmur3(%q, %d) = %#x, want %#x", tc.in, tc.seed, got, tc.want)
		}
	}

	// functions-start / functions-end.
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := compileQuery(t, "s := start() | e := end() | isOld := (@timestamp - start()) < 1000 | select([s, e, isOld])", Options{Start: start, End: testNow})
	rows, _ := p.Run([]*event.Event{ev("@timestamp", strconv.FormatInt(start.UnixMilli()+500, 10))})
	want := "s=" + strconv.FormatInt(start.UnixMilli(), 10) + " e=" + strconv.FormatInt(testNow.UnixMilli(), 10) + " isOld=true"
	if len(rows) != 1 || row(rows[0]) != want {
		t.Errorf("start/end: %v, want %s", rows, want)
	}
	expect(t, "start() | end() | select([_start, _end])", events[:1], []string{"_start=0 _end=" + strconv.FormatInt(testNow.UnixMilli(), 10)})
}

func parseRow(r string) map[string]string {
	out := map[string]string{}
	for _, kv := range splitFields(r) {
		for i := 0; i < len(kv); i++ {
			if kv[i] == '=' {
				out[kv[:i]] = kv[i+1:]
				break
			}
		}
	}
	return out
}

func splitFields(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func TestFieldsetParseURLHex(t *testing.T) {
	// functions-fieldset: after groupBy([#type, @host]) the fields are _count, @host, #type.
	events := []*event.Event{ev("#type", "accesslog", "@host", "a", "x", "1"), ev("#type", "syslog", "@host", "b")}
	expect(t, "groupBy([#type, @host]) | fieldset()", events, []string{"field=_count", "field=@host", "field=#type"})
	expect(t, "fieldset()", events, []string{"field=x", "field=@host", "field=#type"})

	// functions-parseurl: parseUrl(uri) | groupBy(uri.path)
	urls := []*event.Event{
		ev("uri", "https://admin:pw@api.example.com:8443/api/v1/refresh?a=b%20c&d=e#top"),
		ev("uri", "http://example.com/graphql"),
		ev("uri", "site.example.com:80/path/to/examp"),
		ev("url", "https://x.example/y"),
	}
	expect(t, "parseUrl(uri) | select([uri.scheme, uri.username, uri.password, uri.host, uri.port, uri.path, uri.query, uri.fragment])", urls, []string{
		"uri.scheme=https uri.username=admin uri.password=pw uri.host=api.example.com uri.port=8443 uri.path=/api/v1/refresh uri.query=a=b c&d=e uri.fragment=top",
		"uri.scheme=http uri.host=example.com uri.path=/graphql",
		"uri.scheme=site.example.com",
		"",
	})
	expect(t, "parseUrl(uri) | groupBy(uri.path) | sort(uri.path, order=asc)", urls, []string{"uri.path=/api/v1/refresh _count=1", "uri.path=/graphql _count=1"})
	expect(t, "parseUrl(as=u) | select([u.host])", urls, []string{"", "", "", "u.host=x.example"})

	// functions-parsehexstring examples (the page prints HelloWorld as Helloworld).
	hex := []*event.Event{ev("x", "1")}
	expect(t, `foo := "48656c6c6f576f726c64" | parseHexString(foo, as=text, charset="ISO-8859-1") | select(text)`, hex, []string{"text=HelloWorld"})
	expect(t, `hex := "0x4 865 6c6c6f576f726c6420 plus F 0 9 F 9 8 8 0" | text := parseHexString(hex) | select(text)`, hex, []string{"text=HelloWorld 😀"})
	expect(t, `h := "00480069" | parseHexString(h, charset="UTF-16BE") | select(_parsehexstring)`, hex, []string{"_parsehexstring=Hi"})
	expectCompileErrorMsg(t, `parseHexString(h, charset="EBCDIC")`, "charset must be")
}

func TestSetTimeInterval(t *testing.T) {
	day := int64(86_400_000)
	now := testNow.UnixMilli()
	events := []*event.Event{
		ev("@timestamp", strconv.FormatInt(now-8*day, 10), "n", "8d"),
		ev("@timestamp", strconv.FormatInt(now-3*day, 10), "n", "3d"),
		ev("@timestamp", strconv.FormatInt(now-2*3600_000, 10), "n", "2h"),
		ev("n", "no timestamp"),
	}
	// examples-settimeinterval-basic: from 7 days ago to 1 day ago.
	expect(t, "setTimeInterval(start=7d, end=1d) | select(n)", events, []string{"n=3d", "n=no timestamp"})
	expect(t, "setTimeInterval(1d) | select(n)", events, []string{"n=2h", "n=no timestamp"})
	// start() and end() report the interval it sets.
	expect(t, "setTimeInterval(start=7d, end=1d) | n = 3d | s := start() | e := end() | select([s, e])", events,
		[]string{"s=" + strconv.FormatInt(now-7*day, 10) + " e=" + strconv.FormatInt(now-day, 10)})
	expect(t, `setTimeInterval(start="2025-12-29T00:00:00Z", end=now) | select(n)`, events, []string{"n=3d", "n=2h", "n=no timestamp"})
	expectCompileErrorMsg(t, "setTimeInterval(start=1d, end=7d)", "not before end")
	expectCompileErrorMsg(t, "setTimeInterval(start=yesterday)", "relative time")
}

func TestFieldstats(t *testing.T) {
	events := []*event.Event{
		ev("#type", "humio", "numberOfQueries", "1", "datasource", "a"),
		ev("#type", "humio", "numberOfQueries", "2", "datasource", "a"),
		ev("#type", "humio", "numberOfQueries", "1"),
	}
	// functions-fieldstats: #type, field, _count, distinct.
	expect(t, "fieldstats()", events, []string{
		"#type=humio field=#type _count=3 distinct=1",
		"#type=humio field=numberOfQueries _count=3 distinct=2",
		"#type=humio field=datasource _count=2 distinct=1",
	})
	// The corpus's use: fieldstats() | distinct > 1 | sort(distinct, limit=10)
	expect(t, "fieldstats(limit=10) | distinct > 1 | select([field, distinct])", events, []string{"field=numberOfQueries distinct=2"})
}
