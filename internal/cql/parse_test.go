package cql

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// shape prints a filter as an S-expression, looking through parentheses, so
// precedence tests state the tree they expect.
func shape(f Filter) string {
	switch f := f.(type) {
	case *AndFilter:
		return "(and " + shape(f.X) + " " + shape(f.Y) + ")"
	case *OrFilter:
		return "(or " + shape(f.X) + " " + shape(f.Y) + ")"
	case *NotFilter:
		return "(not " + shape(f.X) + ")"
	case *ParenFilter:
		return shape(f.X)
	}
	return f.String()
}

func TestPrecedence(t *testing.T) {
	tests := []struct{ query, want string }{
		{`not foo bar`, `(and (not foo) bar)`},
		{`foo not statuscode=200`, `(and foo (not statuscode = 200))`},
		{`foo and not bar or baz`, `(and foo (or (not bar) baz))`},
		{`a b or c`, `(and a (or b c))`},
		{`a or b c`, `(and (or a b) c)`},
		{`a or b and c or d`, `(and (or a b) (or c d))`},
		{`foo or not bar and baz`, `(and (or foo (not bar)) baz)`},
		{`a AND b Or c`, `(and a (or b c))`},
		{`NOT a`, `(not a)`},
		{`Not a OR b`, `(or (not a) b)`},
		{`!a b`, `(and (not a) b)`},
		{`not not a`, `(not (not a))`},
		{`(a b) or c`, `(or (and a b) c)`},
		{`a and (b or c) d`, `(and (and a (or b c)) d)`},
		{`!in(x, values=[1]) or y=2`, `(or (not in(x, values=[1])) y = 2)`},
	}
	for _, tt := range tests {
		q, ds := Parse(tt.query)
		if ds.HasErrors() {
			t.Errorf("%q: unexpected errors: %v", tt.query, messages(ds))
			continue
		}
		if len(q.Pipeline.Steps) != 1 {
			t.Errorf("%q: %d steps, want 1", tt.query, len(q.Pipeline.Steps))
			continue
		}
		fs, ok := q.Pipeline.Steps[0].(*FilterStep)
		if !ok {
			t.Errorf("%q: step is %T, want *FilterStep", tt.query, q.Pipeline.Steps[0])
			continue
		}
		if got := shape(fs.Filter); got != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.query, got, tt.want)
		}
	}
}

func messages(ds Diagnostics) string {
	var b []string
	for _, d := range ds {
		b = append(b, d.Code+": "+d.Message)
	}
	return strings.Join(b, "; ")
}

func TestStepKinds(t *testing.T) {
	tests := []struct {
		query string
		want  []string // %T of each step
	}{
		{`groupBy(x)`, []string{"*cql.CallStep"}},
		{`!in(x, values=[1])`, []string{"*cql.FilterStep"}},
		{`a=1 and in(x, values=[1])`, []string{"*cql.FilterStep"}},
		{`x := 1`, []string{"*cql.AssignStep"}},
		{`x := lower(y) | y =~ !in(values=[1])`, []string{"*cql.AssignStep", "*cql.FieldOpStep"}},
		{`case { a | b; * }`, []string{"*cql.CaseStep"}},
		{`f match { x => *; * => y := 1 }`, []string{"*cql.MatchStep"}},
		{`[count(), max(x)]`, []string{"*cql.StatsStep"}},
		{`$saved(a=1) | $"my search"()`, []string{"*cql.SavedQueryStep", "*cql.SavedQueryStep"}},
		// Juxtaposed steps on separate lines: filters join, other steps split.
		{"a=1\nb=2\nx := 3\ngroupBy(x)", []string{"*cql.FilterStep", "*cql.AssignStep", "*cql.CallStep"}},
		{"loglevel=ERROR\nhead(10)", []string{"*cql.FilterStep", "*cql.CallStep"}},
		{"head(10)\nloglevel=ERROR", []string{"*cql.CallStep", "*cql.FilterStep"}},
		{"in(x, values=[1]) a=1", []string{"*cql.FilterStep"}},
	}
	for _, tt := range tests {
		q, ds := Parse(tt.query)
		if ds.HasErrors() {
			t.Errorf("%q: unexpected errors: %v", tt.query, messages(ds))
			continue
		}
		var got []string
		for _, s := range q.Pipeline.Steps {
			got = append(got, fmt.Sprintf("%T", s))
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%q: steps %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestLexicalValues(t *testing.T) {
	tests := []struct {
		query string
		check func(q *Query) string // returns "" when fine
	}{
		{`https://www.example.com/`, wantFreeText(&Word{Text: "https://www.example.com/"})},
		{`https: //www.example.com/`, wantFreeText(&Word{Text: "https:"})},
		{`url=docker/*`, wantCompare("url", "=", &Word{Text: "docker/*"})},
		{`t=5m ip=8.8.8.8`, nil},
		{`"user name" = abrown`, wantCompare("user name", "=", &Word{Text: "abrown"})},
		{`a="x\"y\\z\n"`, wantCompare("a", "=", &String{Value: "x\"y\\z\n"})},
		{`a="\d+"`, wantCompare("a", "=", &String{Value: `\d+`})},
		{`a=/x\/y/iF`, wantCompare("a", "=", &Regex{Pattern: "x/y", Flags: "iF"})},
		{`a=/[^\\/]+$/`, wantCompare("a", "=", &Regex{Pattern: `[^\\/]+$`})},
		{`a=?host`, wantCompare("a", "=", &Param{Name: "host"})},
		{`a=?{host=web*}`, wantCompare("a", "=", &Param{Name: "host", Default: "web*", HasDefault: true, Braced: true})},
		{`arr[0]=x`, wantCompare("arr[0]", "=", &Word{Text: "x"})},
		{`@timestamp > 5`, wantCompare("@timestamp", ">", &Word{Text: "5"})},
		{`class like "Bucket"`, wantCompare("class", "like", &String{Value: "Bucket"})},
		{"a=1 // comment\n/* block\ncomment */ b=2", nil},
		{"a=1\u00a0b=2", nil},
	}
	for _, tt := range tests {
		q, ds := Parse(tt.query)
		if ds.HasErrors() {
			t.Errorf("%q: unexpected errors: %v", tt.query, messages(ds))
			continue
		}
		if tt.check != nil {
			if msg := tt.check(q); msg != "" {
				t.Errorf("%q: %s", tt.query, msg)
			}
		}
	}
}

func firstFilter(q *Query) Filter {
	if len(q.Pipeline.Steps) == 0 {
		return nil
	}
	if fs, ok := q.Pipeline.Steps[0].(*FilterStep); ok {
		return fs.Filter
	}
	return nil
}

func wantFreeText(p Pattern) func(*Query) string {
	return func(q *Query) string {
		want := &FreeTextFilter{Value: p}
		if f := firstFilter(q); f == nil || !Equal(f, want) {
			return fmt.Sprintf("got %v, want %v", f, want)
		}
		return ""
	}
}

func wantCompare(field, op string, p Pattern) func(*Query) string {
	return func(q *Query) string {
		f, ok := firstFilter(q).(*CompareFilter)
		if !ok {
			return fmt.Sprintf("first filter is %T, want *CompareFilter", firstFilter(q))
		}
		if f.Field.Name != field || f.Op != op || !Equal(f.Value, p) {
			return fmt.Sprintf("got %q %s %#v, want %q %s %#v", f.Field.Name, f.Op, f.Value, field, op, p)
		}
		return ""
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		query, code string
		line, col   int
	}{
		{`a="abc`, "syntax-unterminated-string", 1, 3},
		{`a=/abc`, "syntax-unterminated-regex", 1, 3},
		{`a=/x/iz`, "syntax-bad-regex-flag", 1, 7},
		{`groupBy(x`, "syntax-unclosed-paren", 1, 8},
		{"a=1\n| groupBy(x", "syntax-unclosed-paren", 2, 10},
		{`(a or b`, "syntax-unclosed-paren", 1, 1},
		{`x := (1 + 2`, "syntax-unclosed-paren", 1, 6},
		{`table([a, b)`, "syntax-unclosed-bracket", 1, 7},
		{`groupBy(x, )`, "syntax-missing-argument", 1, 10},
		{`f(a=)`, "syntax-missing-argument", 1, 3},
		{`[]`, "syntax-missing-argument", 1, 1},
		{`host-name=*`, "syntax-invalid-field-name", 1, 1},
		{`a=`, "syntax-missing-value", 1, 3},
		{`a = 1 | | b`, "syntax-missing-step", 1, 9},
		{`case { a=1 `, "syntax-unclosed-brace", 1, 6},
		{`x match { a }`, "syntax-unexpected-token", 1, 13},
		{`and foo`, "syntax-unexpected-keyword", 1, 1},
		{`'foo'`, "syntax-unexpected-char", 1, 1},
		{`a=1 /* never closed`, "syntax-unterminated-comment", 1, 5},
		{`x := `, "syntax-missing-expression", 1, 6},
		{`a = 1 )`, "syntax-unexpected-token", 1, 7},
		{`x =~ foo`, "syntax-unexpected-token", 1, 6},
		{`[a]`, "syntax-expected-call", 1, 2},
		{`a=?`, "syntax-bad-parameter", 1, 3},
		{`a=?{x=1`, "syntax-unclosed-brace", 1, 3},
		{`$(x)`, "syntax-unexpected-token", 1, 2},
		{`https://`, "syntax-trailing-slashes", 1, 7},
		{"count(x) |\n  ", "", 0, 0}, // trailing pipe is tolerated
	}
	for _, tt := range tests {
		_, ds := Parse(tt.query)
		if tt.code == "" {
			if len(ds) != 0 {
				t.Errorf("%q: unexpected diagnostics %s", tt.query, messages(ds))
			}
			continue
		}
		if len(ds) == 0 {
			t.Errorf("%q: no diagnostics, want %s", tt.query, tt.code)
			continue
		}
		d := ds[0]
		line, col := LineCol(tt.query, d.Span.Start)
		if d.Code != tt.code || line != tt.line || col != tt.col || d.Severity != SeverityError {
			t.Errorf("%q: got %s at %d:%d (%s), want %s at %d:%d", tt.query, d.Code, line, col, d.Message, tt.code, tt.line, tt.col)
		}
		if !strings.HasPrefix(d.Code, "syntax") {
			t.Errorf("%q: code %q does not start with syntax", tt.query, d.Code)
		}
	}
}

func TestFieldNameHint(t *testing.T) {
	_, ds := Parse(`host-name=*`)
	if len(ds) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %s", len(ds), messages(ds))
	}
	want := "`host-name=*` — field names with '-' must be quoted: \"host-name\"=*"
	if ds[0].Hint != want {
		t.Errorf("hint %q, want %q", ds[0].Hint, want)
	}
	if _, ds := Parse(`"host-name"=*`); len(ds) != 0 {
		t.Errorf("quoted name: unexpected %s", messages(ds))
	}
}

func TestRecovery(t *testing.T) {
	src := "groupBy(x\n" +
		"| a=/x/q\n" +
		"| host-name=1\n" +
		"| table([a, b)\n" +
		"| case { a=1 | b :=; * }\n" +
		"| count()"
	q, ds := Parse(src)
	want := []struct {
		code      string
		line, col int
	}{
		{"syntax-unclosed-paren", 1, 8},
		{"syntax-bad-regex-flag", 2, 8},
		{"syntax-invalid-field-name", 3, 3},
		{"syntax-unclosed-bracket", 4, 9},
		{"syntax-missing-expression", 5, 20},
	}
	if len(ds) != len(want) {
		t.Fatalf("got %d diagnostics, want %d: %s", len(ds), len(want), messages(ds))
	}
	for i, w := range want {
		line, col := LineCol(src, ds[i].Span.Start)
		if ds[i].Code != w.code || line != w.line || col != w.col {
			t.Errorf("diagnostic %d: got %s at %d:%d, want %s at %d:%d", i, ds[i].Code, line, col, w.code, w.line, w.col)
		}
	}
	// Steps after the errors are still parsed.
	last := q.Pipeline.Steps[len(q.Pipeline.Steps)-1]
	if last.String() != "count()" {
		t.Errorf("last step %q, want count()", last)
	}
}

// roundTripQueries cover the grammar; each must parse cleanly and print to
// text that parses back to an equal tree.
var roundTripQueries = []string{
	`*`,
	`foo`,
	`"foo bar"`,
	`/foo/i`,
	`#event_simpleName=ProcessRollup2 ImageFileName=/\\cmd\.exe$/i`,
	`a=1 b!=2 c<3 d<=4 e>5 f>=6 g like "x*"`,
	`not foo bar or !baz and (qux or quux)`,
	`"user name"=abrown | "URL" := "x"`,
	"`key` := value * 2",
	`x := (now() * 1000) - ProcessStartTime`,
	`x := -a + !b - c / 2 % 3`,
	`x := a == b | y := a != "b" | z := a >= 3`,
	`x := if(a > 1, then="big", else="small")`,
	`groupBy([aid, ComputerName], function=[count(), max(x, as=m)], limit=max)`,
	`groupBy(x, function=(count(x)))`,
	`bucket(1day, field=[RFMState], function=(count(field=aid, as="endpointCount")))`,
	`sort(@timestamp, order=desc, limit=20000)`,
	`table([a[0], b[], c.d])`,
	`array:contains(array="x[]", value=1) | ioc:lookup(field=ip, type=ip_address)`,
	`x =~ in(values=[1, 2]) | y =~ !in(values=["a"]) | z =~ not regex("q")`,
	`!in(field=UserName, values=["SYSTEM", "LOCAL SERVICE"])`,
	`case { src="client" | type := "client"; src="frontend" | ip != 192.168.1.1 | type := "frontend"; * | type := "server" }`,
	`case { a=1; * }`,
	`case { a=1 | case { b=2; * }; * }`,
	`logtype match { "accesslog" => time := response_time; /server_\d+/ => time := server_time * 1000; in(values=[a, b]) => kind := "ab"; "*" => kind := "x"; ** => y := 1; true => *; * => * }`,
	`[count(), max(x)]`,
	`[{status=Failure | count(as=f)}, {status=Success | count(as=s)}]`,
	`$findhost(host="gendarme") | $"my saved"()`,
	`ComputerName=?ComputerName | x := ?{limit=10}`,
	`in(field, values=?{param})`,
	`defineTable(query={#event_simpleName=ProcessRollup2 | groupBy(aid)}, name="pr2", include=[aid])`,
	`correlate(Exec: { #event_simpleName=ProcessRollup2 | aid <=> Net.aid } include: [aid, CommandLine], Net: { #event_simpleName=NetworkConnectIP4 } include: *, sequence=false, within=15m)`,
	`eval(a = 3, b = c + d)`,
	`test(a == b) | test(length(x) > 4)`,
	`replace(regex=^apples$, with=oranges)`,
	`selfJoinFilter(field=[aid], where=[{a=1}, {b=2}])`,
	`a=1 | drop([x, y]) | dropEvent()`,
	`x := "a\"b\\c\nd"`,
	`x := "\d+\s*"`,
	`formatTime("%Y-%m-%d", field=@timestamp, as=day, timezone="UTC")`,
	`regex("(?<user>\\S+)", field=@rawstring, repeat=true)`,
	`a=/x\/y/ b=/[/]/ c=/\\/`,
	"a=1\nb=2\n| x := 3\ngroupBy(x)",
	`RemotePort in [80, 443]`,
	`case { a=1 => b := 2; * => drop() }`,
	`text:contains(string=x, substring="y") or array:contains(array="a[]", value=1)`,
	`x := a - -b`,
	`head(limit=?{n=10})`,
	`createEvents(["a=1", "b=2"]) | kvParse()`,
	`f(x= ~y)`,
	`regex("(?<x>.+)\\\\(?<y>.+)") | splitString(by="\\", field=x) | x := "a\\"`,
	`$falcon/helper:enrich(field=ProductType)`,
	`bucket(span=1day, (field="Tactic"))`,
	`groupBy([d], function=[count(), n := count(x, distinct=true)])`,
}

func TestAssignInArguments(t *testing.T) {
	q, ds := Parse(`groupBy([d], function=[count(), n := count(x, distinct=true)])`)
	if len(ds) != 0 {
		t.Fatalf("unexpected diagnostics: %s", messages(ds))
	}
	want := "groupBy([d], function=[count(), count(x, distinct=true, as=n)])"
	if got := q.String(); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, ds := Parse(`f(function=[n := 1])`); len(ds) != 1 || ds[0].Code != "syntax-unexpected-token" {
		t.Errorf("assignment of a non-call: got %s", messages(ds))
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ value, want string }{
		{`\d+`, `"\d+"`},
		{`a\\b`, `"a\\\\b"`},
		{`\`, `"\\"`},
		{`\n`, `"\\n"`},
		{"a\"b\n\t", `"a\"b\n\t"`},
		{"\\\n", `"\\\n"`},
	}
	for _, tt := range tests {
		got := quote(tt.value)
		if got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.value, got, tt.want)
		}
		q, ds := Parse("x := " + got)
		if len(ds) != 0 {
			t.Errorf("%s: %s", got, messages(ds))
			continue
		}
		if v := q.Pipeline.Steps[0].(*AssignStep).Value.(*StringLit).Value; v != tt.value {
			t.Errorf("%s parses back to %q, want %q", got, v, tt.value)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, src := range roundTripQueries {
		q, ds := Parse(src)
		if ds.HasErrors() {
			t.Errorf("%q: unexpected errors: %s", src, messages(ds))
			continue
		}
		out := q.String()
		q2, ds2 := Parse(out)
		if ds2.HasErrors() {
			t.Errorf("%q printed as %q which has errors: %s", src, out, messages(ds2))
			continue
		}
		if !Equal(q, q2) {
			t.Errorf("%q: round trip differs\nprinted: %s\nreprint: %s", src, out, q2)
		}
		if again := q2.String(); again != out {
			t.Errorf("%q: printing is not stable\nfirst:  %s\nsecond: %s", src, out, again)
		}
	}
}

func TestEqualIgnoresSpans(t *testing.T) {
	a, _ := Parse(`a=1   and  groupBy(x)`)
	b, _ := Parse(`a=1 and groupBy(x)`)
	c, _ := Parse(`a=1 and groupBy(y)`)
	d, _ := Parse(`a=1 groupBy(x)`) // implicit AND is a different tree
	if !Equal(a, b) {
		t.Error("spans should not matter")
	}
	if Equal(a, c) {
		t.Error("different argument should differ")
	}
	if Equal(a, d) {
		t.Error("implicit and explicit AND should differ")
	}
}

func TestPrinterStyle(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a=1|groupBy(x,limit=10)`, "a = 1\n| groupBy(x, limit=10)"},
		{`case{a=1|b:=2;*}`, "case {\n  a = 1 | b := 2;\n  *\n}"},
		{`x match{1=>y:=2;*=>*}`, "x match {\n  1 => y := 2;\n  * => *\n}"},
		{`f(function={a=1|count()})`, "f(function={ a = 1 | count() })"},
	}
	for _, tt := range tests {
		q, ds := Parse(tt.in)
		if ds.HasErrors() {
			t.Errorf("%q: %s", tt.in, messages(ds))
			continue
		}
		if got := q.String(); got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// readSeed returns the seed detection's query ("" when the file is absent).
func readSeed() string {
	b, err := os.ReadFile("../../../shared/seed/T1590.005-logscale-detection.txt")
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.Index(s, "\ncql\n")
	j := strings.Index(s, "\nmedium severity")
	if i < 0 || j < i {
		return ""
	}
	return s[i+len("\ncql\n") : j]
}

func seedQuery(t testing.TB) string {
	s := readSeed()
	if s == "" {
		t.Skip("seed query not found")
	}
	return s
}

func TestSeedQuery(t *testing.T) {
	src := seedQuery(t)
	q, ds := Parse(src)
	if ds.HasErrors() {
		t.Fatalf("seed has errors: %s", messages(ds))
	}
	kinds := map[string]int{}
	for _, d := range ds {
		if d.Severity != SeverityWarning {
			t.Errorf("unexpected %s", d.Code)
		}
		kinds[d.Code]++
	}
	want := map[string]int{"dialect-case-arrow": 4, "dialect-infix-in": 1, "dialect-drop-event": 1}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("warnings %v, want %v", kinds, want)
	}
	if !Strict(ds).HasErrors() {
		t.Error("Strict should turn dialect warnings into errors")
	}
	if ds.HasErrors() {
		t.Error("Strict must not modify its input")
	}
	if len(q.Pipeline.Steps) != 4 {
		t.Fatalf("%d steps, want 4", len(q.Pipeline.Steps))
	}
	cs := q.Pipeline.Steps[1].(*CaseStep)
	if len(cs.Clauses) != 4 || cs.Clauses[0].ArrowAt != 1 || cs.Clauses[0].Arrow == NoPos {
		t.Errorf("case clauses not parsed as cond => step: %v", cs)
	}
	canon := Canonicalize(q)
	out := canon.String()
	q2, ds2 := Parse(out)
	if len(ds2) != 0 {
		t.Errorf("canonical seed has diagnostics: %s\n%s", messages(ds2), out)
	}
	if !Equal(canon, q2) {
		t.Errorf("canonical seed does not round trip:\n%s", out)
	}
	for _, s := range []string{"=>", " in [", "drop()"} {
		if strings.Contains(out, s) {
			t.Errorf("canonical seed still contains %q:\n%s", s, out)
		}
	}
	if !strings.Contains(out, "in(field=RemotePort, values=[80, 443])") {
		t.Errorf("canonical seed lacks the in() call:\n%s", out)
	}
	if len(canon.Pipeline.Steps[1].(*CaseStep).Clauses) != 3 {
		t.Error("the * => drop() clause should be removed")
	}
	if q.String() == out {
		t.Error("Canonicalize modified its input")
	}
}

func TestCanonicalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{`case { a=1 => b := 2; * => drop() }`, "case {\n  a = 1 | b := 2\n}"},
		{`case { a=1 => drop(); * }`, "case {\n  a = 1 | dropEvent();\n  *\n}"},
		{`x in [1, "a"]`, `in(field=x, values=[1, "a"])`},
		{`a=1 and not x in [1]`, `a = 1 and not in(field=x, values=[1])`},
		{`drop()`, `dropEvent()`},
		{`drop(x)`, `drop(x)`},
		{`defineTable(query={drop()}, name=t)`, `defineTable(query={ dropEvent() }, name=t)`},
		{`groupBy(x)`, `groupBy(x)`},
	}
	for _, tt := range tests {
		q, ds := Parse(tt.in)
		if ds.HasErrors() {
			t.Errorf("%q: %s", tt.in, messages(ds))
			continue
		}
		got := Canonicalize(q).String()
		if got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.in, got, tt.want)
		}
		if _, ds := Parse(got); len(ds) != 0 {
			t.Errorf("%q: canonical form has diagnostics: %s", tt.in, messages(ds))
		}
	}
}

func TestNoDialectWarningsForLogScale(t *testing.T) {
	for _, src := range []string{`drop(x)`, `x match { a => drop([y]) }`, `in(x, values=[1])`, `case { a | b := 1; * }`} {
		if _, ds := Parse(src); len(ds) != 0 {
			t.Errorf("%q: unexpected diagnostics %s", src, messages(ds))
		}
	}
}

func TestDeepNestingDoesNotPanic(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("(", 100000),
		strings.Repeat("not ", 100000) + "a",
		"x := " + strings.Repeat("-", 100000) + "1",
		strings.Repeat("f(", 50000),
		strings.Repeat("[", 50000),
		strings.Repeat("case {", 20000),
	} {
		_, ds := Parse(src)
		if !ds.HasErrors() {
			t.Errorf("%.20q...: want an error", src)
		}
	}
}

// A diagnostic on a very long line shows a window around the caret, not the
// whole line: a one-line 1 MB query with many errors must not print 1 MB each.
func TestRenderLongLineWindow(t *testing.T) {
	src := strings.Repeat("a=1 | ", 20000) + "x=" + strings.Repeat("b", 50000)
	at := Pos(strings.Index(src, "x="))
	d := &Diagnostic{Span: Span{Start: at, End: at + 2}, Severity: SeverityError, Code: "test", Message: "bad"}
	out := d.Render("query", src)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines:\n%s", len(lines), out)
	}
	text, caret := []rune(lines[1]), []rune(lines[2])
	if len(text) > diagWindow+10 {
		t.Errorf("source line shown is %d runes long", len(text))
	}
	col := strings.IndexRune(lines[2], '^')
	if col < 0 || string(text[col:col+2]) != "x=" || !strings.HasSuffix(string(caret), "^~") {
		t.Errorf("caret not under x=:\n%s\n%s", lines[1], lines[2])
	}
	if !strings.HasPrefix(lines[1], "  | …") || !strings.HasSuffix(lines[1], "…") {
		t.Errorf("cut ends not marked: %q", lines[1])
	}
	short := (&Diagnostic{Span: Span{Start: 2, End: 3}, Severity: SeverityError, Code: "c", Message: "m"}).Render("q", "a=b")
	if short != "q:1:3: error: m [c]\n  | a=b\n  |   ^\n" {
		t.Errorf("short line render changed: %q", short)
	}
}
