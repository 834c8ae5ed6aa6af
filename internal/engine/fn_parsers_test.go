package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestParseCsv(t *testing.T) {
	// functions-parsecsv: result="117,success,27%,3.14" with five columns.
	events := []*event.Event{ev("result", "117,success,27%,3.14")}
	expect(t, "parseCsv(result, columns=[count, status, completion, precision, sourcetask]) | select([count, status, completion, precision, sourcetask])",
		events, []string{"count=117 status=success completion=27% precision=3.14"})
	// The page's three forms: plain, quoted, and ; as delimiter (with trim for the spaces).
	forms := []*event.Event{
		ev(event.RawString, `value 1,value 2,value 3`),
		ev(event.RawString, `"value 1", "value 2", value 3`),
		ev(event.RawString, `"value 1"; "value 2"; value 3`),
	}
	expect(t, `parseCsv(columns=[a, b, c], trim=true) | select([a, b, c])`, forms[:2], []string{"a=value 1 b=value 2 c=value 3", "a=value 1 b=value 2 c=value 3"})
	expect(t, `parseCsv(columns=[a, b, c], delimiter=";", trim=true) | select([a, b, c])`, forms[2:], []string{"a=value 1 b=value 2 c=value 3"})
	// Without trim a quote after a space is literal; "" is one quote; the delimiter is literal inside quotes.
	expect(t, `parseCsv(columns=[a, b, c]) | select([a, b, c])`, forms[1:2], []string{`a=value 1 b= "value 2" c= value 3`})
	quoted := []*event.Event{ev("x", `"say ""hi""","a,b",,end`)}
	expect(t, `parseCsv(x, columns=[a, b, c, d]) | select([a, b, c, d])`, quoted, []string{`a=say "hi" b=a,b c= d=end`})
	expect(t, `parseCsv(x, columns=[a, b, c, d], excludeEmpty=true) | select([a, b, c, d])`, quoted, []string{`a=say "hi" b=a,b d=end`})
	expectCompileErrorMsg(t, `parseCsv(x, columns=[a], delimiter=";;")`, "one character")
}

func TestParseCEF(t *testing.T) {
	// functions-parsecef's log line: a syslog prefix, spaces around the pipes, \\ escapes.
	events := []*event.Event{ev(event.RawString, `Sep 19 08:26:10 host CEF:0 | security| threatmanager| 1.0| 100| detected a \\ in packet| 10| src=10.0.0.1 act=blocked a \\ dst=1.1.1.1`)}
	expect(t, "parseCEF(field=@rawstring) | select([cef.version, cef.device.vendor, cef.device.product, cef.device.version, cef.event_class_id, cef.name, cef.severity, cef.ext.src, cef.ext.act, cef.ext.dst])",
		events, []string{`cef.version=0 cef.device.vendor=security cef.device.product=threatmanager cef.device.version=1.0 cef.event_class_id=100 cef.name=detected a \ in packet cef.severity=10 cef.ext.src=10.0.0.1 cef.ext.act=blocked a \ cef.ext.dst=1.1.1.1`})
	// Labels: cs1Label=AlertUrl cs1=... becomes cef.label.AlertUrl; keepLabels keeps the originals.
	labels := []*event.Event{ev("m", `CEF:0|Vendor|Prod|2|sig|Name \| with pipe|5|cs1Label=AlertUrl cs1=https://x.example/a?b\=c msg=two words\nnext`)}
	expect(t, "parseCEF(m) | select([cef.name, cef.label.AlertUrl, cef.ext.cs1, cef.ext.cs1Label, cef.ext.msg])", labels,
		[]string{"cef.name=Name | with pipe cef.label.AlertUrl=https://x.example/a?b=c cef.ext.msg=two words\nnext"})
	expect(t, "parseCEF(m, keepLabels=true, prefix=x., headerprefix=h.) | select([h.name, cef.label.AlertUrl, x.cs1, x.cs1Label])", labels,
		[]string{"h.name=Name | with pipe cef.label.AlertUrl=https://x.example/a?b=c x.cs1=https://x.example/a?b=c x.cs1Label=AlertUrl"})
	// Not CEF: the event is unchanged.
	expect(t, "parseCEF() | select([cef.name])", []*event.Event{ev(event.RawString, "hello")}, []string{""})
}

func TestParseLEEF(t *testing.T) {
	events := []*event.Event{
		ev(event.RawString, "LEEF:1.0|Microsoft|MSExchange|2016|15345|src=10.50.1.1\tdst=2.10.20.20\tspt=1200"),
		ev(event.RawString, "<13>Jan 18 11:07:53 host LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5"),
		ev(event.RawString, "LEEF:2.0|Palo Alto Networks|PAN-OS|10|TRAFFIC|x5E|src=1.2.3.4^Type=end"),
	}
	expect(t, "parseLEEF() | select([leef.version, leef.vendor, leef.product, leef.product_version, leef.event_id, leef.ext.src, leef.ext.dst, leef.ext.Type])", events, []string{
		"leef.version=1.0 leef.vendor=Microsoft leef.product=MSExchange leef.product_version=2016 leef.event_id=15345 leef.ext.src=10.50.1.1 leef.ext.dst=2.10.20.20",
		"leef.version=2.0 leef.vendor=Lancope leef.product=StealthWatch leef.product_version=1.0 leef.event_id=41 leef.ext.src=10.0.1.8 leef.ext.dst=10.0.0.5",
		"leef.version=2.0 leef.vendor=Palo Alto Networks leef.product=PAN-OS leef.product_version=10 leef.event_id=TRAFFIC leef.ext.src=1.2.3.4 leef.ext.Type=end",
	})
	// LEEF:1.0 with another delimiter.
	expect(t, `parseLEEF(delimiter="|", prefix="") | select([src, dst])`, []*event.Event{ev(event.RawString, "LEEF:1.0|V|P|1|E|src=a|dst=b")}, []string{"src=a dst=b"})
}

func TestWriteJSON(t *testing.T) {
	// functions-writejson: writeJson(["a.b.c", "a.b.e[0]", "a.d", "a.f.g"]) over four events.
	events := []*event.Event{ev("a.b.c", "5"), ev("a.b.e[0]", "6"), ev("a.d", "7"), ev("a.f.g", "8")}
	expect(t, `writeJson(["a.b.c", "a.b.e[0]", "a.d", "a.f.g"]) | select(_json)`, events, []string{
		`_json={"a":{"b":{"c":5}}}`, `_json={"a":{"b":{"e":[6]}}}`, `_json={"a":{"d":7}}`, `_json={"a":{"f":{"g":8}}}`})
	// Prefix matching (a.b takes a.bc and a.b[0]), globs, strings and as=.
	mixed := []*event.Event{ev("a.b.c", "x", "a.bc", "true", "a.bd[0]", "1.5", "a.bd[1]", "007", "z", "no")}
	expect(t, `j := writeJson(field=["a.b"]) | select(j)`, mixed, []string{`j={"a":{"b":{"c":"x"},"bc":true,"bd":[1.5,"007"]}}`})
	expect(t, `writeJson(field=["a.bd[*]"], as=k) | select(k)`, mixed, []string{`k={"a":{"bd":[1.5,"007"]}}`})
}
