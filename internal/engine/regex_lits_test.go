package engine

import (
	"regexp"
	"testing"
)

// The literals checked before a regex runs are tested on the value the
// regex reads, not on a JSON line: a backslash in the value is a
// backslash, never an escape that might spell the literal otherwise.
func TestRegexLiteralsTestTheValue(t *testing.T) {
	const installer = `^(\\Device\\HarddiskVolume\d+|C:)\\Program Files\\WindowsApps\\Microsoft\.DesktopAppInstaller_`
	tests := []struct {
		pattern, flags, value string
		may                   bool
	}{
		{installer, "i", `\Device\HarddiskVolume2\Windows\System32\conhost.exe`, false},
		{installer, "i", `\Device\HarddiskVolume2\Program Files\WindowsApps\Microsoft.DesktopAppInstaller_1.2\winget.exe`, true},
		{installer, "i", `C:\PROGRAM FILES\WINDOWSAPPS\MICROSOFT.DESKTOPAPPINSTALLER_X`, true},
		{installer, "", `C:\PROGRAM FILES\WINDOWSAPPS\MICROSOFT.DESKTOPAPPINSTALLER_X`, false},
		{`\\Temp\\[a-z]+\.exe$`, "i", `\Device\HarddiskVolume1\Users\bob\AppData\Local\tmp\a.exe`, false},
		{`\\Temp\\[a-z]+\.exe$`, "i", `\Device\HarddiskVolume1\Windows\Temp\a.exe`, true},
		// A value holding what a JSON line would write as an escape is
		// still only its own text.
		{`(?:mimikatz|rubeus)\.exe`, "", `c:\u006dimikatz.exe`, false},
		{`(?:mimikatz|rubeus)\.exe`, "", `c:\tools\rubeus.exe`, true},
		// Unicode case folding: the Kelvin sign folds to k.
		{`desk[0-9]`, "i", "DES\u212a7", true},
		// Short literals count on a value, which seldom holds them all
		// (a line holds every byte): a command line without a plus sign
		// never runs the regex.
		{`\+.*\+.*\+`, "", `cmd /c echo a b c`, false},
		{`\+.*\+.*\+`, "", `cmd /c echo a+b+c`, true},
		{`[\^` + "`" + `]x`, "", "a`x", true},
		{`[\^` + "`" + `]x`, "", "a-x", false},
		{`k.*k`, "i", "\u212a and \u212a", true},
		{`k.*k`, "i", "c and c", false},
	}
	for _, tt := range tests {
		r, err := compileRegex(tt.pattern, tt.flags)
		if err != nil {
			t.Fatalf("%s: %v", tt.pattern, err)
		}
		r.rx()
		if got := r.mayMatch(tt.value); got != tt.may {
			t.Errorf("%s (flags %q) mayMatch(%q) = %v, want %v", tt.pattern, tt.flags, tt.value, got, tt.may)
		}
		prefix := ""
		if tt.flags == "i" {
			prefix = "(?i)"
		}
		if regexp.MustCompile(prefix+tt.pattern).MatchString(tt.value) && !r.mayMatch(tt.value) {
			t.Errorf("%s: mayMatch rejects %q, which the regex matches", tt.pattern, tt.value)
		}
		if got, want := r.matchString(tt.value), regexp.MustCompile(prefix+tt.pattern).MatchString(tt.value); got != want {
			t.Errorf("%s: matchString(%q) = %v, want %v", tt.pattern, tt.value, got, want)
		}
	}
}

// FuzzRegexLiterals: the literals checked first never turn away a value
// the regex matches, and the fast forms agree with the regex itself.
func FuzzRegexLiterals(f *testing.F) {
	f.Add(`^(\\Device\\HarddiskVolume\d+|C:)\\Windows\\System32\\`, true, `\Device\HarddiskVolume2\Windows\System32\cmd.exe`)
	f.Add(`say "hello"`, false, `x say "hello"`)
	f.Add(`caf[eé]\\bar`, true, `CAFÉ\BAR`)
	f.Add(`desk\d`, true, "DES\u212a1")
	f.Add(`\\u0041bc`, false, `\u0041bc`)
	f.Add(`\+.*\+`, false, `a+b`)
	f.Add(`s.*s`, true, "\u017f x \u017f")
	f.Fuzz(func(t *testing.T, pattern string, fold bool, value string) {
		flags := ""
		if fold {
			flags = "i"
		}
		r, err := compileRegex(pattern, flags)
		if err != nil || r.re2 != nil {
			return
		}
		want := r.rx().MatchString(value)
		if want && !r.mayMatch(value) {
			t.Fatalf("%s (flags %q): mayMatch rejects %q, which the regex matches", pattern, flags, value)
		}
		if got := r.matchString(value); got != want {
			t.Fatalf("%s (flags %q): matchString(%q) = %v, the regex says %v", pattern, flags, value, got, want)
		}
	})
}
