package check

import (
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
)

// want is one expected diagnostic: its code and the source text its span covers.
type want struct{ code, at string }

type checkCase struct {
	name  string
	query string
	want  []want
	hint  string // substring of the first diagnostic's hint, when set
}

func runCases(t *testing.T, opts Options, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, pds := cql.Parse(tc.query)
			if pds.HasErrors() {
				t.Fatalf("parse errors: %v", render(pds, tc.query))
			}
			ds := Check(q, opts)
			var got []want
			for _, d := range ds {
				got = append(got, want{d.Code, tc.query[d.Span.Start:d.Span.End]})
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v\n%s", got, tc.want, render(ds, tc.query))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("diagnostic %d: got %v, want %v\n%s", i, got[i], tc.want[i], render(ds, tc.query))
				}
			}
			if tc.hint != "" && (len(ds) == 0 || !strings.Contains(ds[0].Hint, tc.hint)) {
				t.Errorf("hint %q does not contain %q", firstHint(ds), tc.hint)
			}
		})
	}
}

func render(ds cql.Diagnostics, src string) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Render("query", src))
	}
	return b.String()
}

func firstHint(ds cql.Diagnostics) string {
	if len(ds) == 0 {
		return ""
	}
	return ds[0].Hint
}

func TestCleanQueries(t *testing.T) {
	runCases(t, Options{}, []checkCase{
		{name: "filters and groupBy", query: `#event_simpleName=ProcessRollup2 ImageFileName=/\\cmd\.exe/i | groupBy([aid, ComputerName], function=[count(), max(@timestamp)], limit=max)`},
		{name: "positional default param", query: `in(UserName, values=["SYSTEM", "LOCAL SERVICE"]) | head(10)`},
		{name: "field op supplies field", query: `UserName =~ in(values=["a*"], ignoreCase=true)`},
		{name: "negated filter function", query: `!cidr(RemoteIP, subnet=["10.0.0.0/8"])`},
		{name: "assign with as", query: `n := count(aid, distinct=true)`},
		{name: "assign expression function", query: `len := length(CommandLine) | test(len > 100)`},
		{name: "value functions in expressions", query: `x := if(a > 1, then=lower(b), else="none")`},
		{name: "formatTime through assign", query: `t := formatTime("%Y-%m-%d", field=@timestamp)`},
		{name: "case with default clause", query: `case { a=1 | b := "x" ; * }`},
		{name: "match guards", query: `kind match { "a" => x := 1 ; in(values=[b, c]) => x := 2 ; * => * }`},
		{name: "sort enums", query: `groupBy(a) | sort([_count, a], order=[desc, asc], type=[number, string], limit=20)`},
		{name: "table max limit", query: `table([a, b], limit=max, order=asc, sortby=a)`},
		{name: "stats shorthand", query: `[count(), avg(x)]`},
		{name: "compare after aggregate", query: `groupBy(a) | _count > 5`},
		{name: "query parameters anywhere", query: `groupBy(a, limit=?limit) | head(?n) | order=?{o=desc}`},
		{name: "saved search", query: `$crowdstrike/fltr-core:zComputerName() | $my_search(x=1)`},
		{name: "preamble then readFile", query: `defineTable(query={#type=a | groupBy(u)}, name="t", include=[u]) | readFile("t")`},
		{name: "join subquery", query: `join({#type=b | c=1}, field=aid, include=[x])`},
		{name: "selfJoinFilter where", query: `selfJoinFilter(aid, where=[{a=1}, {b=2}])`},
		{name: "correlate nodes", query: `correlate(A: {#type=a} include: [u], B: {#type=b | u <=> A.u}, within=5m, sequence=true)`},
		{name: "regex flags", query: `regex("(?<x>\\d+)", field=a, flags=im, strict=false)`},
		{name: "replace alias", query: `a =~ replace("x", replacement="y")`},
		{name: "eval open params", query: `eval(a = b + 1, c = lower(d))`},
		{name: "drop dialect", query: `drop()`},
		{name: "free text before aggregate", query: `"mimikatz" | count()`},
		{name: "match-all after aggregate", query: `count() | *`},
	})
}

func TestFunctionNames(t *testing.T) {
	runCases(t, Options{}, []checkCase{
		{name: "unknown with suggestion", query: `gropBy(a)`, want: []want{{CodeUnknownFunction, "gropBy"}}, hint: `did you mean "groupBy"?`},
		{name: "unknown without suggestion", query: `frobnicate(a)`, want: []want{{CodeUnknownFunction, "frobnicate"}}},
		{name: "dedup does not exist", query: `dedup(a)`, want: []want{{CodeUnknownFunction, "dedup"}}},
		{name: "case-insensitive names", query: `GROUPBY(a) | Sort(_count)`},
		{name: "unknown inside function=", query: `groupBy(a, function=cnt())`, want: []want{{CodeUnknownFunction, "cnt"}}},
		{name: "unknown inside case", query: `case { lowr(a) ; * }`, want: []want{{CodeUnknownFunction, "lowr"}}, hint: "lower"},
		{name: "unknown inside join subquery", query: `join({grpBy(a)}, field=a)`, want: []want{{CodeUnknownFunction, "grpBy"}}},
		{name: "unknown in expression", query: `x := lenght(a)`, want: []want{{CodeUnknownFunction, "lenght"}}, hint: "length"},
		{name: "unsupported", query: `hashRewrite(ssn, salt="salt1")`, want: []want{{CodeUnsupportedFunction, "hashRewrite"}}, hint: "salt"},
		{name: "unsupported in correlate node", query: `correlate(A: {hashRewrite(ip, salt=s)}, B: {b=1})`, want: []want{{CodeUnsupportedFunction, "hashRewrite"}}},
		{name: "unsupported in match guard body", query: `x match { * => hashRewrite(ip, salt=s) }`, want: []want{{CodeUnsupportedFunction, "hashRewrite"}}},
	})
}

func TestParameters(t *testing.T) {
	runCases(t, Options{}, []checkCase{
		{name: "unknown parameter with suggestion", query: `groupBy(a, limt=5)`, want: []want{{CodeUnknownParameter, "limt"}}, hint: `did you mean "limit"?`},
		{name: "unknown parameter lists valid", query: `head(foo=1)`, want: []want{{CodeUnknownParameter, "foo"}}, hint: "valid parameters: limit"},
		{name: "parameter names are case-sensitive", query: `in(a, Values=[1])`, want: []want{{CodeMissingParameter, "in"}, {CodeUnknownParameter, "Values"}}},
		{name: "missing required", query: `in(a)`, want: []want{{CodeMissingParameter, "in"}}},
		{name: "missing default param", query: `groupBy(limit=5)`, want: []want{{CodeMissingParameter, "groupBy"}}, hint: "groupBy(value)"},
		{name: "missing in function=", query: `groupBy(a, function=sum())`, want: []want{{CodeMissingParameter, "sum"}}},
		{name: "duplicate named", query: `head(limit=1, limit=2)`, want: []want{{CodeDuplicateParameter, "limit"}}},
		{name: "duplicate positional and named", query: `groupBy(a, field=b)`, want: []want{{CodeDuplicateParameter, "field"}}},
		{name: "duplicate with field op", query: `a =~ in(field=b, values=[1])`, want: []want{{CodeDuplicateParameter, "field"}}},
		{name: "duplicate with assign", query: `x := count(as=y)`, want: []want{{CodeDuplicateParameter, "as"}}},
		{name: "two positional", query: `groupBy(a, b)`, want: []want{{CodeTooManyPositional, "b"}}},
		{name: "no default param", query: `sankey(a, target=b)`, want: []want{{CodeMissingParameter, "sankey"}, {CodeTooManyPositional, "a"}}},
		{name: "no parameters at all", query: `dropEvent(1)`, want: []want{{CodeTooManyPositional, "1"}}},
		{name: "field op on function without field", query: `a =~ head(5)`, want: []want{{CodeUnknownParameter, "head"}}},
		{name: "drop without fields is the parser's to report", query: `drop()`},
		{name: "drop with a positional field", query: `drop(a)`},
	})
}

func TestArgumentValues(t *testing.T) {
	runCases(t, Options{}, []checkCase{
		{name: "number expected", query: `head(limit=abc)`, want: []want{{CodeBadArgument, "abc"}}},
		{name: "max accepted for limit", query: `sort(a, limit=max) | tail(max)`},
		{name: "max not accepted for top", query: `top(a, limit=max)`, want: []want{{CodeBadArgument, "max"}}},
		{name: "negative number", query: `splitString(a, by=",", index=-1)`},
		{name: "quoted number", query: `head(limit="20")`},
		{name: "boolean expected", query: `in(a, values=[1], ignoreCase=yes)`, want: []want{{CodeBadArgument, "yes"}}},
		{name: "boolean as string", query: `in(a, values=[1], ignoreCase="true")`},
		{name: "enum", query: `sort(a, order=up)`, want: []want{{CodeBadArgument, "up"}}},
		{name: "enum suggestion", query: `sort(a, order=dsc)`, want: []want{{CodeBadArgument, "dsc"}}, hint: `did you mean "desc"?`},
		{name: "enum array element", query: `sort([a, b], order=[asc, sideways])`, want: []want{{CodeBadArgument, "sideways"}}},
		{name: "enum array not allowed", query: `match(file="f.csv", field=a, mode=[glob])`, want: []want{{CodeBadArgument, "[glob]"}}},
		{name: "table type", query: `table([a], type=hex)`},
		{name: "regex flags", query: `regex("x", flags=q)`, want: []want{{CodeBadRegexFlags, `q`}}, hint: "valid flags"},
		{name: "regex g flag", query: `regex("x", flags="ig")`, want: []want{{CodeBadRegexFlags, `"ig"`}}, hint: "repeat=true"},
		{name: "subquery expected", query: `join(a, field=b)`, want: []want{{CodeBadArgument, "a"}}},
		{name: "subquery not a field", query: `groupBy({a=1})`, want: []want{{CodeBadArgument, "{a=1}"}}},
		{name: "single field expected", query: `in(field=[a, b], values=[1])`, want: []want{{CodeBadArgument, "[a, b]"}}},
		{name: "function= needs aggregates", query: `groupBy(a, function=lower(b))`, want: []want{{CodeBadArgument, "lower"}}},
		{name: "function= literal", query: `groupBy(a, function=5)`, want: []want{{CodeBadArgument, "5"}}},
		{name: "comparison needs a number", query: `a > abc`, want: []want{{CodeBadComparison, "abc"}}},
		{name: "comparison with number", query: `a >= 10 b < -1.5 c <= "3"`},
		{name: "comparison with parameter", query: `a > ?min`},
	})
}

func TestPlacement(t *testing.T) {
	runCases(t, Options{}, []checkCase{
		{name: "assign aggregate without as", query: `x := selfJoinFilter(a, where=[{b=1}])`, want: []want{{CodeAssignWithoutAs, "selfJoinFilter"}}},
		{name: "assign transform without as", query: `x := drop([a])`, want: []want{{CodeAssignWithoutAs, "drop"}}},
		{name: "transform in expression", query: `x := 1 + drop([a])`, want: []want{{CodeNotAValue, "drop"}}},
		{name: "aggregate in case", query: `case { a=1 | count() ; * }`, want: []want{{CodeAggregateInCase, "count"}}},
		{name: "aggregate assign in case", query: `case { a=1 | n := count() ; * }`, want: []want{{CodeAggregateInCase, "count"}}},
		{name: "stats shorthand in case", query: `case { a=1 | [count()] ; * }`, want: []want{{CodeAggregateInCase, "[count()]"}}},
		{name: "aggregate in match body", query: `a match { * => head(1) }`, want: []want{{CodeAggregateInCase, "head"}}},
		{name: "aggregate in correlate node", query: `correlate(A: {count()}, B: {b=1})`, want: []want{{CodeAggregateInSubquery, "count"}}},
		{name: "aggregate in join subquery is fine", query: `join({groupBy(a)}, field=a)`},
		{name: "free text after aggregate", query: `groupBy(a) | "foo"`, want: []want{{CodeFreeTextAfterAgg, `"foo"`}}},
		{name: "free regex after aggregate", query: `count() | /foo/`, want: []want{{CodeFreeTextAfterAgg, "/foo/"}}},
		{name: "free text in case after aggregate", query: `groupBy(a) | case { foo ; * }`, want: []want{{CodeFreeTextAfterAgg, "foo"}}},
		{name: "free text in subquery is its own pipeline", query: `groupBy(a) | join({foo}, field=a)`},
		{name: "preamble after main query", query: `a=1 | defineTable(query={b=1}, name="t", include=[b])`, want: []want{{CodeMisplacedPreamble, "defineTable"}}},
		{name: "preamble in subquery", query: `join({setTimeInterval(start=1h)}, field=a)`, want: []want{{CodeMisplacedPreamble, "setTimeInterval"}}},
		{name: "source after filter", query: `a=1 | readFile("t.csv")`, want: []want{{CodeMisplacedSource, "readFile"}}},
	})
}

func TestNilQuery(t *testing.T) {
	if ds := Check(nil, Options{}); ds != nil {
		t.Errorf("Check(nil) = %v", ds)
	}
	if ds := Check(&cql.Query{}, Options{}); ds != nil {
		t.Errorf("Check(empty) = %v", ds)
	}
}
