package sigma

import "testing"

// TestFileNameRegex: the path regexes export writes for Falcon file-name
// fields come back as the regex over the name; anything else is left alone.
func TestFileNameRegex(t *testing.T) {
	cases := []struct{ in, want string }{
		{`(?:nmap|curl|python)[^\\/]*$`, `(?:nmap|curl|python)`},
		{`(?i)(?:^|[\\/])(?:cmd\.exe|powershell\.exe)$`, `(?i)^(?:cmd\.exe|powershell\.exe)$`},
		{`(?:^|[\\/])(?:setup)[^\\/]*$`, `^(?:setup)`},
		{`a|b[^\\/]*$`, ""},          // "a" anywhere in the path: not a name regex
		{`tools\\(?:x)[^\\/]*$`, ""}, // names a directory
		{`nmap`, ""},                 // not the exported form
	}
	for _, c := range cases {
		got, ok := fileNameRegex(c.in)
		if (c.want != "") != ok || got != c.want {
			t.Errorf("fileNameRegex(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}
