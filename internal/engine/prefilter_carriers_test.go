package engine

import (
	"slices"
	"testing"
)

// The literals a value learned elsewhere must carry for a program to take
// a line its raw text rejects: every literal on a derived field or in free
// text, except that an AND whose literals all read one derived field needs
// only its part least likely held.
func TestCarrierLiterals(t *testing.T) {
	derived := func(f string) bool {
		return f == "ContextProcessName" || f == "UserName" || f == "ContextCommandLine"
	}
	tests := []struct {
		query string
		want  []string // field:text
	}{
		{`#event_simpleName=DnsRequest DomainName=/ufile\.io/i`, nil}, // raw fields alone
		{`ContextProcessName=/^python/i ContextProcessName=/\.exe/i`, []string{"ContextProcessName:python"}},
		{`ContextProcessName=/\.exe/i ContextProcessName=/^python/i`, []string{"ContextProcessName:python"}},
		{`ContextProcessName=/curl/i or ContextProcessName=/wget/i`, []string{"ContextProcessName:curl", "ContextProcessName:wget"}},
		// two fields: either may come from the raw line
		{`UserName=/admin/i ContextProcessName=/powershell/i`, []string{"UserName:admin", "ContextProcessName:powershell"}},
		// the raw part is the raw text's to decide
		{`CommandLine=/whoami/i ContextProcessName=/cmd\.exe/i ContextProcessName=/c:\\windows/i`, []string{`ContextProcessName:c:\windows`}},
		// an OR of ANDs: each AND its own part
		{`(ContextProcessName=/^python/i ContextProcessName=/\.exe/i) or (ContextCommandLine=/-enc/i ContextCommandLine=/hidden/i)`,
			[]string{"ContextProcessName:python", "ContextCommandLine:hidden"}},
		// free text searches every field: all its literals
		{`mimikatz sekurlsa`, []string{":mimikatz", ":sekurlsa"}},
		{`mimikatz ContextProcessName=/procdump/i`, []string{":mimikatz", "ContextProcessName:procdump"}},
	}
	for _, tc := range tests {
		p := compileQuery(t, tc.query, Options{})
		var got []string
		p.CarrierLiterals(derived, func(field, text string) { got = append(got, field+":"+text) })
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: carried %q, want %q", tc.query, got, tc.want)
		}
	}
}
