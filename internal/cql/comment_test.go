package cql

import (
	"slices"
	"strings"
	"testing"
)

// commentQueries pairs a query with its exact canonical form: every comment
// kept, in its canonical place.
var commentQueries = []struct{ name, query, want string }{
	{"leading and trailing",
		"// header\na=1 // why a\n| count()",
		"// header\na = 1 // why a\n| count()"},
	{"leading before a later step",
		"a=1\n// then count\n/* twice */\n| count()",
		"a = 1\n// then count\n/* twice */\n| count()"},
	{"end of query",
		"a=1\n| count()\n// the end\n/* really */",
		"a = 1\n| count()\n// the end\n/* really */"},
	{"only comments", "// nothing yet\n", "// nothing yet"},
	{"trailing after pipe on same line", "a=1 | /* x */ b=2", "a = 1 /* x */\n| b = 2"},
	{"block trailing then next line", "a=1 /* multi\nline */ /* own */ | b=2",
		"a = 1 /* multi\nline */\n/* own */\n| b = 2"},
	{"inside expression moves to lead the step",
		"a=1\n// why b\nb=2 | groupBy(x, // by x\nfunction=count())",
		"// why b\na = 1 b = 2\n// by x\n| groupBy(x, function=count())"},
	{"call then block comment with newline splits steps",
		"groupBy(x) /* a\nb */ a=1",
		"groupBy(x) /* a\nb */\n| a = 1"},
	{"url word is not a comment", "url=https://x/ // real", "url = https://x/ // real"},
	{"sub-query",
		"groupBy(x, function={ // count them\ncount() // how many\n| max(y)\n// end of sub\n})",
		"groupBy(x, function={\n  // count them\n  count() // how many\n  | max(y)\n  // end of sub\n})"},
	{"empty sub-query keeps its comment", "groupBy(x, function={ /* none */ })",
		"groupBy(x, function={\n  /* none */\n})"},
	{"sub-query without comments stays inline", "groupBy(x, function={count() | max(y)}) // t",
		"groupBy(x, function={ count() | max(y) }) // t"},
	{"case clauses",
		"case { // first\na=1 | b:=2; // after first\n// second\nc=3 /* in clause */ d=4 | e:=5\n// end of case\n}",
		"case {\n  // first\n  a = 1 | b := 2; // after first\n  // second\n  /* in clause */\n  c = 3 d = 4 | e := 5\n  // end of case\n}"},
	{"comment between steps of a clause",
		"case { a=1 // cond\n| b:=2; * }",
		"case {\n  a = 1 // cond\n  | b := 2;\n  *\n}"},
	{"dialect arrow with comment",
		"case { a=1 /* c */ => b:=2 }",
		"case {\n  a = 1 /* c */\n  => b := 2\n}"},
	{"match clauses",
		"x match {\n// lead\n\"a\" => y:=1 // t\n; b /* g */ => y:=2 | z:=3 /* in body */\n| w:=4;\n* => * // rest\n}",
		"x match {\n  // lead\n  \"a\" => y := 1; // t\n  /* g */\n  b => y := 2\n  | z := 3 /* in body */\n  | w := 4;\n  * => * // rest\n}"},
	{"nested case in sub-query",
		"groupBy(x, function={ case { // c\na=1 } })",
		"groupBy(x, function={ case {\n  // c\n  a = 1\n} })"},
	{"stats step", "[count() /* n */, max(x)] // t", "/* n */\n[count(), max(x)] // t"},
}

// commentTexts returns the texts of cs, for comparing comment lists.
func commentTexts(cs []*Comment) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Text
	}
	return out
}

// checkCommentsKept asserts that src's comments all reach the AST, that
// printing keeps them, and that the printed form re-parses equal and is a
// fixed point. It returns the printed form.
func checkCommentsKept(t *testing.T, name, src string) string {
	t.Helper()
	q, p := parse(src)
	if p.diags.HasErrors() {
		t.Fatalf("%s: unexpected errors: %s", name, messages(p.diags))
	}
	seen := commentTexts(p.comments)
	if got := commentTexts(q.AllComments()); !sameTexts(got, seen) {
		t.Errorf("%s: AST holds comments %q, source has %q", name, got, seen)
	}
	out := q.String()
	q2, p2 := parse(out)
	if p2.diags.HasErrors() {
		t.Fatalf("%s: printed query has errors: %s\n%s", name, messages(p2.diags), out)
	}
	if got := commentTexts(p2.comments); !sameTexts(got, seen) {
		t.Errorf("%s: printed form has comments %q, source has %q\n%s", name, got, seen, out)
	}
	if !Equal(q, q2) {
		t.Errorf("%s: round trip differs\nprinted: %q\nreprint: %q", name, out, q2.String())
	}
	if again := q2.String(); again != out {
		t.Errorf("%s: fmt is not idempotent\nfirst:  %q\nsecond: %q", name, out, again)
	}
	return out
}

// sameTexts compares comment texts as multisets: attachment may reorder a
// comment found inside an expression relative to its neighbours.
func sameTexts(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestCommentsFormat(t *testing.T) {
	for _, tt := range commentQueries {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkCommentsKept(t, tt.name, tt.query); got != tt.want {
				t.Errorf("printed\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestCommentsAttach(t *testing.T) {
	q, ds := Parse("// lead\na=1 // trail\n| case { /* c0 */ b=2; c=3 // c1\n}\n// end")
	if ds.HasErrors() {
		t.Fatal(messages(ds))
	}
	steps := q.Pipeline.Steps
	cs := steps[1].(*CaseStep)
	tests := []struct {
		where string
		got   []*Comment
		want  []string
	}{
		{"step 0 leading", StepComments(steps[0]).Leading, []string{"// lead"}},
		{"step 0 trailing", StepComments(steps[0]).Trailing, []string{"// trail"}},
		{"clause 0 leading", cs.Clauses[0].Comments.Leading, []string{"/* c0 */"}},
		{"clause 1 trailing", cs.Clauses[1].Comments.Trailing, []string{"// c1"}},
		{"case step has none of its own", StepComments(cs).Leading, nil},
		{"query end", q.Pipeline.EndComments, []string{"// end"}},
	}
	for _, tt := range tests {
		if got := commentTexts(tt.got); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.where, got, tt.want)
		}
	}
}

func TestCommentsInEquality(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"a=1 // x", "a = 1 // x", true},
		{"a=1 // x", "a=1 // y", false},
		{"a=1 // x", "a=1", false},
		{"a=1 // x", "// x\na=1", false}, // trailing is not leading
		{"a=1 /* x */", "a=1\n/* x */", false},
	}
	for _, tt := range tests {
		qa, _ := Parse(tt.a)
		qb, _ := Parse(tt.b)
		if got := Equal(qa, qb); got != tt.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCanonicalizeKeepsComments(t *testing.T) {
	src := "case { // keep\na=1 => b:=2; // after\n// default\n* => drop() // gone clause\n}\n| x in [1] // in"
	want := "case {\n  // keep\n  a = 1 | b := 2 // after\n  // default\n  // gone clause\n}\n| in(field=x, values=[1]) // in"
	q, ds := Parse(src)
	if ds.HasErrors() {
		t.Fatal(messages(ds))
	}
	got := Canonicalize(q).String()
	if got != want {
		t.Errorf("canonical\n%s\nwant\n%s", got, want)
	}
	checkCommentsKept(t, "canonical", got)
}

func TestNodeStringEndsLineComment(t *testing.T) {
	q, _ := Parse("a=1 // note\n| b=2")
	// Text appended to a step's String must not land inside its comment.
	if got := q.Pipeline.Steps[0].String(); !strings.HasSuffix(got, "// note\n") {
		t.Errorf("step String = %q, want it to end the comment's line", got)
	}
}

// TestCorpusCommentsKept checks every corpus query with comments: each
// comment survives fmt and fmt --canonical, and both forms re-parse equal.
func TestCorpusCommentsKept(t *testing.T) {
	recs := loadCorpus(t)
	if recs == nil {
		t.Skip("corpus not found at " + corpusPath)
	}
	queries, comments := 0, 0
	for _, r := range recs {
		q, p := parse(r.Query)
		if p.diags.HasErrors() || len(p.comments) == 0 {
			continue
		}
		queries++
		comments += len(p.comments)
		checkCommentsKept(t, r.ID, r.Query)
		canon := Canonicalize(q).String()
		_, pc := parse(canon)
		if got, want := commentTexts(pc.comments), commentTexts(p.comments); !sameTexts(got, want) {
			t.Errorf("%s: canonical form has comments %q, source has %q", r.ID, got, want)
		}
	}
	t.Logf("corpus: %d queries with %d comments kept by fmt", queries, comments)
	if queries == 0 {
		t.Error("no corpus query has comments: the loader or scanner is broken")
	}
}

// TestDeepNamedArgsPrint guards the printer against re-rendering nested
// named arguments (which once made printing exponential in their depth).
func TestDeepNamedArgsPrint(t *testing.T) {
	src := strings.Repeat("f(x=", 60) + "1 /* deep */" + strings.Repeat(")", 60)
	got := checkCommentsKept(t, "deep", src)
	if !strings.HasPrefix(got, "/* deep */\nf(x=f(x=") {
		t.Errorf("printed %q", got[:min(len(got), 40)])
	}
}
