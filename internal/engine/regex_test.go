package engine

import (
	"regexp"
	"sync"
	"testing"
)

// An RE2 pattern is compiled when a value first needs it, once, whichever
// goroutines ask; its named groups are numbered from the parse as the
// regexp numbers them.
func TestRegexCompiledWhenFirstNeeded(t *testing.T) {
	tests := []struct{ pattern, flags string }{
		{`nmap`, "i"},                                // plain
		{`^(cmd|powershell)(\.exe)?$`, "i"},          // a set
		{`(shodan\s+search|censys\s+search)`, "i"},   // starts
		{`(?<tool>nmap|zmap)\s+-(?<opt>s[nSp])`, ""}, // groups
		{`(?<a>x)(?:(?<b>y)|z)+(?<c>(?<d>w))?`, ""},  // nested and optional groups
		{`(?<rep>ab){2,3}c`, ""},                     // a repeated group: copied by Simplify
		{`\d{2,}\.\d+`, ""},                          // none of the fast forms
	}
	values := []string{"", "nmap -sn", "NMAP", "zmap -sp x", "cmd.exe", "PowerShell", "shodan  search ip", "xyzw", "xzzz", "ababc", "12.5", "a"}
	for _, tc := range tests {
		r, err := compileRegex(tc.pattern, tc.flags)
		if err != nil {
			t.Fatalf("/%s/%s: %v", tc.pattern, tc.flags, err)
		}
		if r.re != nil || r.set != nil || r.starts != nil {
			t.Errorf("/%s/%s: compiled before any value needed it", tc.pattern, tc.flags)
		}
		want := regexp.MustCompile(r.goSrc)
		for _, g := range r.groups {
			if got, want := g.index, want.SubexpIndex(g.safe); got != want {
				t.Errorf("/%s/%s: group %s numbered %d, the regexp says %d", tc.pattern, tc.flags, g.field, got, want)
			}
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for _, v := range values {
					if got, want := r.matchString(v), want.MatchString(v); got != want {
						t.Errorf("/%s/%s on %q: %v, the regex says %v", tc.pattern, tc.flags, v, got, want)
					}
				}
			})
		}
		wg.Wait()
		if r.plain == nil && r.re == nil {
			t.Errorf("/%s/%s: matched without its regexp", tc.pattern, tc.flags)
		}
	}
}
