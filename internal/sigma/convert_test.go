package sigma

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/rules"
)

// Hand-checked conversions: each Sigma detection, the CQL it must produce,
// and Falcon events (written by hand) that must and must not match when the
// CQL runs on the engine.
func TestConvertHandChecked(t *testing.T) {
	type tcase struct {
		name, logsource, detection string
		cql                        []string // substrings of the CQL
		match, miss                []string // event JSON bodies
	}
	win := "{category: process_creation, product: windows}"
	pr2 := func(fields string) string {
		return `"event_simpleName":"ProcessRollup2","event_platform":"Win",` + fields
	}
	tests := []tcase{
		{"endswith on a device path, case-insensitive", win, `
    sel:
        Image|endswith: '\cmd.exe'
    condition: sel`,
			[]string{`ImageFileName=/\\cmd\.exe$/i`},
			[]string{pr2(`"ImageFileName":"\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe"`), pr2(`"ImageFileName":"\\Device\\HarddiskVolume3\\WINDOWS\\SYSTEM32\\CMD.EXE"`)},
			[]string{pr2(`"ImageFileName":"\\Device\\HarddiskVolume3\\Windows\\System32\\xcmd.exe"`), pr2(`"ImageFileName":"\\Device\\HarddiskVolume3\\cmd.exe.bak"`),
				`"event_simpleName":"ProcessRollup2","event_platform":"Lin","ImageFileName":"\\cmd.exe"`}},
		{"drive letter becomes \\Device\\HarddiskVolumeN", win, `
    sel:
        Image: 'C:\Windows\System32\whoami.exe'
    condition: sel`,
			[]string{`ImageFileName=/^(\\Device\\HarddiskVolume\d+|C:)\\Windows\\System32\\whoami\.exe$/i`},
			[]string{pr2(`"ImageFileName":"\\Device\\HarddiskVolume12\\Windows\\system32\\whoami.exe"`), pr2(`"ImageFileName":"c:\\Windows\\System32\\whoami.exe"`)},
			[]string{pr2(`"ImageFileName":"\\Device\\HarddiskVolume3\\Temp\\Windows\\System32\\whoami.exe"`)}},
		{"parent image becomes its file name", win, `
    sel:
        ParentImage|endswith: '\winword.exe'
    condition: sel`,
			[]string{`ParentBaseFileName=/^winword\.exe$/i`},
			[]string{pr2(`"ParentBaseFileName":"WINWORD.EXE"`)},
			[]string{pr2(`"ParentBaseFileName":"notwinword.exe"`)}},
		{"contains|all, 1 of, not, wildcards", win, `
    sel_a:
        CommandLine|contains|all: [' -w ', 'hidden']
    sel_b:
        CommandLine|startswith: 'power*shell'
    filter:
        CommandLine|contains: 'benign?'
    condition: 1 of sel_* and not filter`,
			[]string{`CommandLine=/ -w /i and CommandLine=/hidden/i`, `CommandLine=/^power.*shell/id`, `not CommandLine=/benign./id`},
			[]string{pr2(`"CommandLine":"x -W HIDDEN"`), pr2(`"CommandLine":"POWERSHELL.exe -nop"`), pr2(`"CommandLine":"power-x-shell"`), pr2(`"CommandLine":"power\nshell"`)},
			[]string{pr2(`"CommandLine":"x -w hidden benign1"`), pr2(`"CommandLine":"x -w hid"`), pr2(`"CommandLine":"apowershell"`)}},
		{"escaped wildcards are literal", win, `
    sel:
        CommandLine: 'a\*b\?c'
    condition: sel`,
			[]string{`CommandLine=/^a\*b\?c$/i`},
			[]string{pr2(`"CommandLine":"A*B?C"`)},
			[]string{pr2(`"CommandLine":"axxbyc"`)}},
		{"windash", win, `
    sel:
        CommandLine|windash|contains: ' -enc '
    condition: sel`,
			[]string{`CommandLine=/ [\-\/–—―]enc /i`},
			[]string{pr2(`"CommandLine":"p -enc x"`), pr2(`"CommandLine":"p /ENC x"`), pr2(`"CommandLine":"p –enc x"`), pr2(`"CommandLine":"p ―enc x"`)},
			[]string{pr2(`"CommandLine":"p +enc x"`), pr2(`"CommandLine":"p -encx"`)}},
		{"base64offset (pySigma's reference values), case-sensitive", win, `
    sel:
        CommandLine|base64offset|contains: 'IEX'
    condition: sel`,
			[]string{`CommandLine=/SUVY/ or CommandLine=/lFW/ or CommandLine=/JRV/`},
			[]string{pr2(`"CommandLine":"-e SUVYIChOZXc="`), pr2(`"CommandLine":"xJRVgg"`)},
			[]string{pr2(`"CommandLine":"-e suvy"`)}},
		{"wide then base64", win, `
    sel:
        CommandLine|wide|base64: 'ab'
    condition: sel`,
			[]string{`CommandLine=/^YQBiAA==$/`},
			[]string{pr2(`"CommandLine":"YQBiAA=="`)},
			[]string{pr2(`"CommandLine":"YWI="`)}},
		{"regex with i flag and a slash", win, `
    sel:
        CommandLine|re|i: 'https?://[a-z]+\.example/\d+'
    condition: sel`,
			[]string{`CommandLine=/https?:\/\/[a-z]+\.example\/\d+/i`},
			[]string{pr2(`"CommandLine":"curl HTTP://EVIL.example/42"`)},
			[]string{pr2(`"CommandLine":"curl http://evil.example/x"`)}},
		{"regex is case-sensitive without i", win, `
    sel:
        CommandLine|re: 'Invoke-\w+'
    condition: sel`,
			[]string{`CommandLine=/Invoke-\w+/`},
			[]string{pr2(`"CommandLine":"Invoke-Mimikatz"`)},
			[]string{pr2(`"CommandLine":"invoke-mimikatz"`)}},
		{"cased", win, `
    sel:
        CommandLine|cased: 'PsExec'
    condition: sel`,
			[]string{`CommandLine=/^PsExec$/`},
			[]string{pr2(`"CommandLine":"PsExec"`)},
			[]string{pr2(`"CommandLine":"psexec"`)}},
		{"exists, null and empty", win, `
    sel:
        CommandLine|exists: true
        User: null
        OriginalFileName: ''
    condition: sel`,
			[]string{`CommandLine=*`, `UserName!=*`, `OriginalFilename=""`},
			[]string{pr2(`"CommandLine":"x","OriginalFilename":""`)},
			[]string{pr2(`"CommandLine":"x","OriginalFilename":"","UserName":"bob"`), pr2(`"OriginalFilename":""`), pr2(`"CommandLine":"x","OriginalFilename":"a.exe"`)}},
		{"numeric comparison and value table", win, `
    sel:
        ProcessId|gte: 1000
        IntegrityLevel: High
    condition: sel`,
			[]string{`RawProcessId>=1000`, `IntegrityLevel=12288`},
			[]string{pr2(`"RawProcessId":"1000","IntegrityLevel":"12288"`)},
			[]string{pr2(`"RawProcessId":"999","IntegrityLevel":"12288"`), pr2(`"RawProcessId":"4000","IntegrityLevel":"8192"`)}},
		{"fieldref, case-insensitive", win, `
    sel:
        ParentImage|fieldref: OriginalFileName
    condition: sel`,
			[]string{`test(lower(ParentBaseFileName) == lower(OriginalFilename))`},
			[]string{pr2(`"ParentBaseFileName":"CMD.exe","OriginalFilename":"cmd.EXE"`)},
			[]string{pr2(`"ParentBaseFileName":"cmd.exe","OriginalFilename":"conhost.exe"`), pr2(`"ParentBaseFileName":"cmd.exe"`)}},
		{"keywords are free text", win, `
    keywords:
        - 'mimikatz'
        - 'sekurlsa::*'
    condition: keywords`,
			[]string{`/mimikatz/i or /sekurlsa::/i`},
			[]string{pr2(`"CommandLine":"run MimiKatz.exe"`), pr2(`"Other":"SEKURLSA::logonpasswords"`)},
			[]string{pr2(`"CommandLine":"mimi katz"`)}},
		{"network: Initiated picks the event type; ORed CIDRs with IPv6", "{category: network_connection, product: windows}", `
    sel:
        Initiated: 'true'
        DestinationIp|cidr: ['10.0.0.0/8', '192.168.0.0/16', 'fe80::/10']
        DestinationPort: [80, 443, 8080]
    condition: sel`,
			[]string{`in(field="#event_simpleName", values=[NetworkConnectIP4, NetworkConnectIP6])`,
				`cidr(RemoteAddressIP4, subnet=["10.0.0.0/8", "192.168.0.0/16"]) or cidr(RemoteAddressIP6, subnet=["fe80::/10"])`, `in(field="RemotePort", values=[80, 443, 8080])`},
			[]string{`"event_simpleName":"NetworkConnectIP4","RemoteAddressIP4":"10.1.2.3","RemotePort":"443"`, `"event_simpleName":"NetworkConnectIP6","RemoteAddressIP6":"fe80:0:0:0:1:2:3:4","RemotePort":"80"`},
			[]string{`"event_simpleName":"NetworkReceiveAcceptIP4","RemoteAddressIP4":"10.1.2.3","RemotePort":"443"`, `"event_simpleName":"NetworkConnectIP4","RemoteAddressIP4":"11.1.2.3","RemotePort":"443"`,
				`"event_simpleName":"NetworkConnectIP4","RemoteAddressIP4":"10.1.2.3","RemotePort":"8443"`}},
		{"network: DestinationHostname from the host's DNS answers", "{category: network_connection, product: windows}", `
    sel:
        DestinationHostname|endswith: '.ngrok.io'
    condition: sel`,
			[]string{`DestinationHostname=/\.ngrok\.io$/i`},
			[]string{`"event_simpleName":"NetworkConnectIP4","DestinationHostname":"a.NGROK.io"`},
			[]string{`"event_simpleName":"NetworkConnectIP4","DestinationHostname":"ngrok.io.evil"`}},
		{"dns: QueryName, process file name", "{category: dns_query, product: windows}", `
    sel:
        QueryName|endswith: '.ngrok.io'
        Image|endswith: '\rundll32.exe'
    condition: sel`,
			[]string{`DomainName=/\.ngrok\.io$/i`, `ContextProcessName=/^rundll32\.exe$/i`},
			[]string{`"event_simpleName":"DnsRequest","event_platform":"Win","DomainName":"a.NGROK.io","ContextProcessName":"rundll32.exe"`},
			[]string{`"event_simpleName":"DnsRequest","event_platform":"Win","DomainName":"ngrok.io","ContextProcessName":"rundll32.exe"`}},
		{"registry: TargetObject derived from key and value name", "{category: registry_set, product: windows}", `
    sel:
        TargetObject|endswith: '\CurrentVersion\Run\evil'
        TargetObject|startswith: 'HKLM\'
    condition: sel`,
			[]string{`TargetObject := format(`, `TargetObject=/\\CurrentVersion\\Run\\evil$/i`},
			[]string{`"event_simpleName":"RegGenericValueUpdate","event_platform":"Win","RegObjectName":"\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run","RegValueName":"Evil"`},
			[]string{`"event_simpleName":"RegGenericValueUpdate","event_platform":"Win","RegObjectName":"\\REGISTRY\\USER\\S-1-5-21\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run","RegValueName":"Evil"`}},
		{"a regex on a file-name field, when it names no directory", "{category: dns_query, product: windows}", `
    sel:
        Image|re: '(?i)(nmap|masscan)(\.exe)?$'
    condition: sel`,
			[]string{`ContextProcessName=/(?i)(nmap|masscan)(\.exe)?$/`},
			[]string{`"event_simpleName":"DnsRequest","event_platform":"Win","ContextProcessName":"NMAP.exe"`, `"event_simpleName":"DnsRequest","event_platform":"Win","ContextProcessName":"masscan"`},
			[]string{`"event_simpleName":"DnsRequest","event_platform":"Win","ContextProcessName":"nmap.exe.old"`}},
		{"Sysmon Hashes strings pick the Falcon hash field", win, `
    sel:
        Hashes|contains:
            - 'SHA256=AB12CD'
            - 'MD5=ef34'
    condition: sel`,
			[]string{`SHA256HashData=/^AB12CD$/i or MD5HashData=/^ef34$/i`},
			[]string{pr2(`"SHA256HashData":"ab12cd"`), pr2(`"MD5HashData":"EF34"`)},
			[]string{pr2(`"SHA256HashData":"ab12cd00"`), pr2(`"SHA1HashData":"ef34"`)}},
		{"registry DWORD data is the numeric value", "{category: registry_set, product: windows}", `
    sel:
        TargetObject|endswith: '\EnableLUA'
        Details: 'DWORD (0x00000000)'
    condition: sel`,
			[]string{`RegNumericValue=0`},
			[]string{`"event_simpleName":"RegGenericValueUpdate","event_platform":"Win","RegObjectName":"\\REGISTRY\\MACHINE\\SOFTWARE\\Policies\\System","RegValueName":"EnableLUA","RegNumericValue":"0"`},
			[]string{`"event_simpleName":"RegGenericValueUpdate","event_platform":"Win","RegObjectName":"\\REGISTRY\\MACHINE\\SOFTWARE\\Policies\\System","RegValueName":"EnableLUA","RegNumericValue":"1"`}},
		{"file_event on Linux", "{category: file_event, product: linux}", `
    sel:
        TargetFilename|startswith: '/etc/cron.d/'
    condition: sel`,
			[]string{`#event_simpleName=*FileWritten`, `TargetFileName=/^\/etc\/cron\.d\//i`},
			[]string{`"event_simpleName":"NewScriptWritten","event_platform":"Lin","TargetFileName":"/etc/cron.d/job"`, `"event_simpleName":"ElfFileWritten","event_platform":"Lin","TargetFileName":"/etc/cron.d/x"`},
			[]string{`"event_simpleName":"NewScriptWritten","event_platform":"Lin","TargetFileName":"/tmp/etc/cron.d/job"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "title: Hand-checked\nauthor: tester\nlogsource: " + tc.logsource + "\ndetection:" + tc.detection + "\n"
			rs, err := Parse("hand.yml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			q, err := NewConverter().Convert(rs[0])
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.cql {
				if !strings.Contains(q.Filter, want) {
					t.Errorf("CQL lacks %s:\n%s", want, q.Filter)
				}
			}
			compileCQL(t, q.CQL())
			prog, err := rules.Compile(ToRule("hand", rs[0], q.CQL(), q.EventTypes), nil, engineOpts())
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			var wantIDs []string
			for i, body := range append(append([]string(nil), tc.match...), tc.miss...) {
				id := fmt.Sprintf("e%d", i)
				lines = append(lines, `{"id":"`+id+`",`+body+`}`)
				if i < len(tc.match) {
					wantIDs = append(wantIDs, id)
				}
			}
			var got []string
			for _, row := range runEvents(t, prog, strings.Join(lines, "\n")) {
				id, _ := row.Get("id")
				got = append(got, id)
			}
			slices.Sort(got)
			if !slices.Equal(got, wantIDs) {
				t.Errorf("alerts %v, want %v\nquery:\n%s\nevents:\n%s", got, wantIDs, q.CQL(), strings.Join(lines, "\n"))
			}
		})
	}
}

func TestConvertErrors(t *testing.T) {
	for _, c := range []struct{ logsource, detection, want string }{
		{"{category: process_creation, product: windows}", "sel: {CurrentDirectory|contains: x}", "hand.yml:5:11: rule \"E\": field CurrentDirectory cannot be mapped for process_creation/windows"},
		{"{category: process_creation, product: windows}", "sel: {Hashes|contains: 'IMPHASH=1'}", "Hashes: IMPHASH hashes have no Falcon field (known: MD5, SHA1, SHA256)"},
		{"{category: process_creation, product: windows}", "sel: {Foo: x}", "field Foo has no Falcon equivalent for process_creation/windows in falcon.yaml (built in)"},
		{"{category: network_connection, product: windows}", "sel: {ParentImage: 'C:\\Temp\\a.exe'}", "ParentImage: ContextParentBaseFileName holds only the file name: the value names a directory"},
		{"{category: process_creation, product: windows}", "sel: {IntegrityLevel: Weird}", `value "Weird" has no Falcon equivalent in IntegrityLevel`},
		{"{category: process_creation, product: windows}", "sel: {CommandLine|bogus: x}", `unknown modifier "bogus"`},
		{"{category: network_connection, product: windows}", `sel: {ParentImage|re: '\\tools\\nmap'}`, "a regex cannot be translated for ContextParentBaseFileName, which holds only the file name"},
		{"{category: network_connection, product: windows}", `sel: {ParentImage|re: '^nmap'}`, "a regex cannot be translated"},
		{"{category: process_creation, product: windows}", "sel: {CommandLine|contains|all: x}", "the all modifier needs a list"},
		{"{category: process_creation, product: windows}", "sel: {CommandLine|re: '(?<=a)b'}", "regex"},
		{"{category: process_creation, product: windows}", "sel: {CommandLine|expand: '%admins%'}", "placeholder %admins% has no values"},
		{"{category: process_creation, product: windows}", "sel: {CommandLine|hour: 3}", "time modifier"},
		{"{category: ps_script, product: windows}", "sel: {ScriptBlockText: x}", "logsource category \"ps_script\", product windows has no Falcon mapping"},
		{"{service: sysmon}", "sel: {CommandLine: x}", "no category, service \"sysmon\", product (none) has no Falcon mapping"},
		{"{category: network_connection, product: windows}", "sel: {Initiated|contains: 'tr'}", "does not pick an event type"},
	} {
		src := "title: E\nlogsource: " + c.logsource + "\ndetection:\n    condition: sel\n    " + c.detection + "\n"
		rs, err := Parse("hand.yml", []byte(src))
		if err == nil {
			_, err = NewConverter().Convert(rs[0])
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.detection, err, c.want)
		}
	}
}

func TestExpandPlaceholders(t *testing.T) {
	src := "title: X\nlogsource: {category: process_creation, product: windows}\ndetection:\n    sel:\n        User|expand: '%admins%'\n    condition: sel\n"
	rs, _ := Parse("x.yml", []byte(src))
	c := NewConverter()
	c.Placeholders = map[string][]string{"admins": {`CORP\alice`, "root*"}}
	q, err := c.Convert(rs[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := `UserName=/^CORP\\alice$/i or UserName=/^root/i`; !strings.Contains(q.Filter, want) {
		t.Errorf("got %s, want %s", q.Filter, want)
	}
}

func TestOptionalFiltersFalconCannotExpress(t *testing.T) {
	head := "title: O\nlogsource: {category: process_creation, product: windows}\ndetection:\n    sel: {CommandLine|contains: evil}\n" +
		"    filter_optional_vendor: {Description: 'Vendor agent'}\n" +
		"    filter_main_ok: {CommandLine|contains: benign}\n"
	for _, c := range []struct {
		cond, filter, warn, err string
	}{
		{cond: "sel and not 1 of filter_*", filter: "#event_simpleName=ProcessRollup2 or #event_simpleName=SyntheticProcessRollup2) event_platform=Win\n| CommandLine=/evil/i\n| not CommandLine=/benign/i",
			warn: "hand.yml:5:30: rule \"O\": warning: optional filter filter_optional_vendor dropped (the rule may alert on what it excluded): field Description cannot be mapped"},
		{cond: "sel and not filter_optional_vendor", filter: "event_platform=Win\n| CommandLine=/evil/i\n| table("},
		{cond: "sel or filter_optional_vendor", err: "field Description cannot be mapped"},
		{cond: "sel and not not filter_optional_vendor", err: "field Description cannot be mapped"},
	} {
		rs, err := Parse("hand.yml", []byte(head+"    condition: "+c.cond+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		q, err := NewConverter().Convert(rs[0])
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.cond, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.cond, err)
		}
		if !strings.Contains(q.CQL(), c.filter) {
			t.Errorf("%s: CQL\n%s\nlacks\n%s", c.cond, q.CQL(), c.filter)
		}
		if len(q.Warnings) != 1 || c.warn != "" && !strings.Contains(q.Warnings[0].Warning(), c.warn) {
			t.Errorf("%s: warnings %v, want one like %q", c.cond, q.Warnings, c.warn)
		}
	}
}
