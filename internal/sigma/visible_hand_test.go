package sigma

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/rules"
)

// Hand-written Falcon events for a sample of the visible SigmaHQ rules,
// checked against each rule's text by reading it: realistic sensor events
// that must alert (m*) and near misses that must not (n*).
func TestVisibleRulesHandChecked(t *testing.T) {
	win := `"event_platform":"Win","aid":"a1"`
	vol := `\\Device\\HarddiskVolume3`
	tests := []struct {
		file   string
		events []string // JSON bodies; ids m* must alert, n* must not
	}{
		{"dns_query_win_mega_nz.yml", []string{
			`"id":"m1","event_simpleName":"DnsRequest",` + win + `,"DomainName":"gfs206n171.userstorage.mega.co.nz"`,
			`"id":"m2","event_simpleName":"DnsRequest",` + win + `,"DomainName":"USERSTORAGE.MEGA.CO.NZ"`,
			`"id":"n1","event_simpleName":"DnsRequest",` + win + `,"DomainName":"mega.co.nz"`,
			`"id":"n2","event_simpleName":"DnsRequest","event_platform":"Lin","aid":"a1","DomainName":"g.userstorage.mega.co.nz"`,
		}},
		{"proc_creation_lnx_python_pty_spawn.yml", []string{
			`"id":"m1","event_simpleName":"ProcessRollup2","event_platform":"Lin","aid":"a1","ImageFileName":"/usr/bin/python3.10","CommandLine":"python3 -c 'import pty; pty.spawn(\"/bin/sh\")'"`,
			`"id":"m2","event_simpleName":"SyntheticProcessRollup2","event_platform":"Lin","aid":"a1","ImageFileName":"/usr/bin/python","CommandLine":"python -c 'from pty import spawn; spawn(\"bash\")'"`,
			`"id":"n1","event_simpleName":"ProcessRollup2","event_platform":"Lin","aid":"a1","ImageFileName":"/usr/bin/python3.10","CommandLine":"python3 -c 'import pty; print(1)'"`,
			`"id":"n2","event_simpleName":"ProcessRollup2","event_platform":"Lin","aid":"a1","ImageFileName":"/usr/bin/perl","CommandLine":"perl -e 'import pty; spawn'"`,
		}},
		{"proc_creation_win_powershell_frombase64string_archive.yml", []string{
			`"id":"m1","event_simpleName":"ProcessRollup2",` + win + `,"ImageFileName":"` + vol + `\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","CommandLine":"powershell -c \"$s=New-Object IO.MemoryStream(,[Convert]::FromBase64String('H4sIAAAAAAAEAAsOcnX0BQA='))\""`,
			`"id":"n1","event_simpleName":"ProcessRollup2",` + win + `,"CommandLine":"powershell [Convert]::FromBase64String('H4sIAAAA')"`,
			`"id":"n2","event_simpleName":"ProcessRollup2",` + win + `,"CommandLine":"powershell IO.MemoryStream FromBase64String('UEsDBBQ=')"`,
		}},
		{"net_connection_win_notepad.yml", []string{
			`"id":"m1","event_simpleName":"NetworkConnectIP4","aid":"a1","ContextBaseFileName":"notepad.exe","RemoteAddressIP4":"203.0.113.7","RemotePort":"443"`,
			`"id":"n1","event_simpleName":"NetworkConnectIP4","aid":"a1","ContextBaseFileName":"notepad.exe","RemoteAddressIP4":"10.0.0.9","RemotePort":"9100"`,
			`"id":"n2","event_simpleName":"NetworkConnectIP4","aid":"a1","ContextBaseFileName":"notepad++.exe","RemoteAddressIP4":"203.0.113.7","RemotePort":"443"`,
		}},
		{"proc_creation_win_wmic_recon_hotfix.yml", []string{
			`"id":"m1","event_simpleName":"ProcessRollup2",` + win + `,"ImageFileName":"` + vol + `\\Windows\\System32\\wbem\\WMIC.exe","CommandLine":"wmic qfe list brief"`,
			`"id":"m2","event_simpleName":"ProcessRollup2",` + win + `,"ImageFileName":"` + vol + `\\Temp\\renamed.exe","OriginalFilename":"wmic.exe","CommandLine":"x.exe QFE get hotfixid"`,
			`"id":"n1","event_simpleName":"ProcessRollup2",` + win + `,"ImageFileName":"` + vol + `\\Windows\\System32\\wbem\\WMIC.exe","CommandLine":"wmic os get caption"`,
			`"id":"n2","event_simpleName":"ProcessRollup2",` + win + `,"ImageFileName":"` + vol + `\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c echo qfe"`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(visibleDir, tc.file))
			if err != nil {
				t.Skipf("corpus absent: %v", err)
			}
			rs, err := Parse(tc.file, data)
			if err != nil {
				t.Fatal(err)
			}
			q, err := NewConverter().Convert(rs[0])
			if err != nil {
				t.Fatal(err)
			}
			var lines, want []string
			for _, body := range tc.events {
				lines = append(lines, "{"+body+"}")
				id := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(body, ",", 2)[0], `"id":"`), `"`)
				if strings.HasPrefix(id, "m") {
					want = append(want, id)
				}
			}
			r := ToRule(RuleID(rs[0], 0), rs[0], q.CQL(), q.EventTypes)
			tcase, err := rules.ParseTestCase("hand.txtar", tc.file, []byte("-- input.ndjson --\n"+strings.Join(lines, "\n")+"\n-- want --\n"+strings.Join(want, "\n")+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			res := rules.RunTest(r, tcase)
			if !res.Passed {
				t.Errorf("%s\nquery:\n%s", res.Diff, q.CQL())
			}
			if !slices.Equal(res.Got, want) && res.Passed {
				t.Error("inconsistent result")
			}
		})
	}
}
