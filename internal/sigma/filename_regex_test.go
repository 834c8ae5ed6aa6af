package sigma

import (
	"strings"
	"testing"
)

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

// TestNoProductNoPlatform: a logsource without product matches every
// platform, so the query has no event_platform condition.
func TestNoProductNoPlatform(t *testing.T) {
	rs, err := Parse("p.yml", []byte("title: P\nlogsource: {category: process_creation}\ndetection:\n  sel: {CommandLine|contains: whoami}\n  condition: sel\n"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := NewConverter().Convert(rs[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(q.Filter, "event_platform") {
		t.Fatalf("product-less rule filters on the platform:\n%s", q.Filter)
	}
	withProduct, err := Parse("w.yml", []byte("title: W\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel: {CommandLine|contains: whoami}\n  condition: sel\n"))
	if err != nil {
		t.Fatal(err)
	}
	qw, err := NewConverter().Convert(withProduct[0])
	if err != nil || !strings.Contains(qw.Filter, "event_platform=Win") {
		t.Fatalf("windows rule lost its platform condition: %v\n%v", err, qw)
	}
}
