package enrich

import "testing"

func TestSplitImage(t *testing.T) {
	tests := []struct {
		path, dir, base string
	}{
		{`\Device\HarddiskVolume3\Windows\System32\svchost.exe`, `\Device\HarddiskVolume3\Windows\System32\`, "svchost.exe"},
		{`\Device\Mup\server\share\tool.exe`, `\Device\Mup\server\share\`, "tool.exe"},
		{`C:\Program Files\x\a b.exe`, `C:\Program Files\x\`, "a b.exe"},
		{"/usr/bin/pgbackrest", "/usr/bin/", "pgbackrest"},
		{`/tmp/odd\name`, "/tmp/", `odd\name`}, // POSIX: backslash is a name character
		{"/", "/", ""},
		{"svchost.exe", "", "svchost.exe"},
		{"", "", ""},
	}
	for _, tc := range tests {
		dir, base := splitImage(tc.path)
		if dir != tc.dir || base != tc.base {
			t.Errorf("splitImage(%q) = %q, %q; want %q, %q", tc.path, dir, base, tc.dir, tc.base)
		}
	}
}

func TestProcessBaseName(t *testing.T) {
	tests := []struct {
		image, cmd, want string
	}{
		{`\Device\HarddiskVolume2\x\splunk-powershell.exe`, "ignored", "splunk-powershell.exe"},
		{"/", "runc init", "runc"},
		{"/", "/usr/bin/containerd-shim -namespace k8s", "containerd-shim"},
		{"", `"C:\Program Files\App\app.exe" --flag`, "app.exe"},
		{"", `"C:\unterminated\x.exe`, "x.exe"},
		{"", "  \tpython3 -c x", "python3"},
		{"/", "", ""},
	}
	for _, tc := range tests {
		if got := processBaseName(tc.image, tc.cmd); got != tc.want {
			t.Errorf("processBaseName(%q, %q) = %q, want %q", tc.image, tc.cmd, got, tc.want)
		}
	}
}
