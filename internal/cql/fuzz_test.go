package cql

import "testing"

func FuzzParse(f *testing.F) {
	for _, q := range roundTripQueries {
		f.Add(q)
	}
	for _, c := range commentQueries {
		f.Add(c.query)
	}
	f.Add(readSeed())
	for _, q := range []string{`a="abc`, `groupBy(x`, `case { a=1 `, "a=/x/q\n| host-name=1", `x match { a }`, `?{`, "`x", `/* x`} {
		f.Add(q)
	}
	for i, r := range loadCorpus(f) {
		if i%10 == 0 {
			f.Add(r.Query)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, p := parse(src)
		ds := p.diags
		if q == nil || q.Pipeline == nil {
			t.Fatal("Parse returned no query")
		}
		for _, d := range ds {
			if d.Span.Start < 0 || d.Span.End < d.Span.Start || int(d.Span.End) > len(src) {
				t.Fatalf("diagnostic %s has span %v outside the source (len %d)", d.Code, d.Span, len(src))
			}
			_ = d.Render("fuzz", src)
		}
		// Every comment reaches the AST, even after errors.
		if got, want := commentTexts(q.AllComments()), commentTexts(p.comments); !sameTexts(got, want) {
			t.Fatalf("comments lost\nsource: %q\nsaw:    %q\nAST:    %q", src, want, got)
		}
		if ds.HasErrors() {
			return
		}
		out := q.String()
		q2, p2 := parse(out)
		ds2 := p2.diags
		if ds2.HasErrors() {
			t.Fatalf("printed query has errors: %s\nsource:  %q\nprinted: %q", messages(ds2), src, out)
		}
		if got, want := commentTexts(p2.comments), commentTexts(p.comments); !sameTexts(got, want) {
			t.Fatalf("printing lost comments\nsource:  %q\nprinted: %q", src, out)
		}
		// Equal compares comments too (text and attachment, not position).
		if !Equal(q, q2) {
			t.Fatalf("round trip differs\nsource:  %q\nprinted: %q\nreprint: %q", src, out, q2.String())
		}
		if again := q2.String(); again != out {
			t.Fatalf("printing is not stable\nsource: %q\nfirst:  %q\nsecond: %q", src, out, again)
		}
		// A narrow width forces wrapping everywhere it can happen.
		narrow := q.Format(16)
		if q3, ds3 := Parse(narrow); ds3.HasErrors() || !Equal(q, q3) || q3.Format(16) != narrow {
			t.Fatalf("wrapped printing does not round trip\nsource:  %q\nwrapped: %q", src, narrow)
		}
		if c := Canonicalize(q).String(); c != "" {
			if _, ds3 := Parse(c); ds3.HasErrors() {
				t.Fatalf("canonical form has errors: %s\nsource: %q\ncanon:  %q", messages(ds3), src, c)
			}
		}
	})
}
