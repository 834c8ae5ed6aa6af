package cql

import "testing"

func FuzzParse(f *testing.F) {
	for _, q := range roundTripQueries {
		f.Add(q)
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
		q, ds := Parse(src)
		if q == nil || q.Pipeline == nil {
			t.Fatal("Parse returned no query")
		}
		for _, d := range ds {
			if d.Span.Start < 0 || d.Span.End < d.Span.Start || int(d.Span.End) > len(src) {
				t.Fatalf("diagnostic %s has span %v outside the source (len %d)", d.Code, d.Span, len(src))
			}
			_ = d.Render("fuzz", src)
		}
		if ds.HasErrors() {
			return
		}
		out := q.String()
		q2, ds2 := Parse(out)
		if ds2.HasErrors() {
			t.Fatalf("printed query has errors: %s\nsource:  %q\nprinted: %q", messages(ds2), src, out)
		}
		if !Equal(q, q2) {
			t.Fatalf("round trip differs\nsource:  %q\nprinted: %q\nreprint: %q", src, out, q2.String())
		}
		if again := q2.String(); again != out {
			t.Fatalf("printing is not stable\nsource: %q\nfirst:  %q\nsecond: %q", src, out, again)
		}
		if c := Canonicalize(q).String(); c != "" {
			if _, ds3 := Parse(c); ds3.HasErrors() {
				t.Fatalf("canonical form has errors: %s\nsource: %q\ncanon:  %q", messages(ds3), src, c)
			}
		}
	})
}
