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
