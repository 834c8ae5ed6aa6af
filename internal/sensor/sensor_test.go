package sensor

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// convert runs Convert over text and returns the events and problems.
func convert(t *testing.T, f Format, text string) ([]map[string]string, []Problem) {
	t.Helper()
	var out bytes.Buffer
	var problems []Problem
	if _, err := Convert(f, "in.log", strings.NewReader(text), &out, func(p Problem) { problems = append(problems, p) }); err != nil {
		t.Fatal(err)
	}
	var evs []map[string]string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line == "" {
			continue
		}
		m := map[string]string{}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("output line is not flat JSON: %v: %s", err, line)
		}
		evs = append(evs, m)
	}
	return evs, problems
}

// Damaged copies of a real file: a flipped byte inside chunk 3 (its records
// checksum fails: reported, and its whole records read with the damage
// noted), garbage over a record of chunk 2 (reported, the records before and
// after it read), and a file cut in the middle of chunk 5 (the records wholly
// before the cut read).
func TestEVTXDamagedCopies(t *testing.T) {
	path := filepath.Join(samplesDir, "sb-Sysmon_UACME_64.evtx")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("sample missing: %v", err)
	}
	type rec struct {
		shape  string
		damage string
	}
	read := func(d []byte) (map[string]rec, []EVTXProblem) {
		out := map[string]rec{}
		var probs []EVTXProblem
		_, err := ReadEVTX(d, func(r *EVTXRecord) error {
			out[fmt.Sprint(r.Chunk, "/", r.Number)] = rec{fmt.Sprint(referenceShape(r)), r.Damage}
			return nil
		}, func(p EVTXProblem) { probs = append(probs, p) })
		if err != nil {
			t.Fatal(err)
		}
		return out, probs
	}
	intact, probs := read(data)
	if len(probs) > 0 {
		t.Fatalf("intact file: %v", probs)
	}
	compare := func(name string, got map[string]rec, damagedChunk int, maxLost int) {
		lost, changed := 0, 0
		for k, want := range intact {
			g, ok := got[k]
			inChunk := strings.HasPrefix(k, fmt.Sprint(damagedChunk, "/"))
			switch {
			case !ok && inChunk:
				lost++
			case !ok:
				t.Errorf("%s: record %s of an intact chunk lost", name, k)
			case g.shape != want.shape:
				changed++
				if !inChunk {
					t.Errorf("%s: record %s of an intact chunk changed", name, k)
				}
			case inChunk && g.damage == "":
				t.Errorf("%s: record %s of the damaged chunk does not say so", name, k)
			}
		}
		if lost+changed > maxLost {
			t.Errorf("%s: %d records lost and %d changed, want at most %d", name, lost, changed, maxLost)
		}
	}

	flipped := bytes.Clone(data)
	flipped[evtxFileHeaderSize+3*evtxChunkSize+4000] ^= 0x55
	got, probs := read(flipped)
	if len(probs) < 1 || probs[0].Chunk != 3 || !strings.Contains(probs[0].Error(), "checksum") {
		t.Fatalf("flipped byte: problems %v, want a checksum problem in chunk 3 first", probs)
	}
	compare("flipped byte", got, 3, 1)

	garbage := bytes.Clone(data)
	copy(garbage[evtxFileHeaderSize+2*evtxChunkSize+6000:], bytes.Repeat([]byte{0xAB}, 300))
	got, probs = read(garbage)
	if len(probs) < 1 || probs[0].Chunk != 2 {
		t.Fatalf("garbage: problems %v, want the checksum problem of chunk 2", probs)
	}
	compare("garbage", got, 2, 3)

	// A broken record header (its size no longer matches its copy): that
	// record is reported, the next whole record found and read on.
	broken := bytes.Clone(data)
	c2 := broken[evtxFileHeaderSize+2*evtxChunkSize:]
	pos := evtxChunkHeaderSize
	for range 3 {
		pos += int(binary.LittleEndian.Uint32(c2[pos+4:]))
	}
	binary.LittleEndian.PutUint32(c2[pos+4:], 0x4242)
	got, probs = read(broken)
	if len(probs) != 2 || !strings.Contains(probs[1].Error(), "differ") {
		t.Fatalf("broken record: problems %v, want the checksum and the size mismatch", probs)
	}
	compare("broken record", got, 2, 1)

	// A damaged file header: every chunk is still read.
	for _, at := range []int{0, 50} {
		hdr := bytes.Clone(data)
		hdr[at] ^= 0xff
		if !IsEVTX(hdr) {
			t.Fatalf("header byte %d damaged: not recognised as EVTX", at)
		}
		got, probs = read(hdr)
		if len(probs) != 1 || probs[0].Chunk != -1 || len(got) != len(intact) {
			t.Errorf("header byte %d damaged: %d of %d records, problems %v", at, len(got), len(intact), probs)
		}
	}

	cut := data[:evtxFileHeaderSize+5*evtxChunkSize+30000]
	got, probs = read(cut)
	if len(probs) < 1 || probs[0].Chunk != 5 || !strings.Contains(probs[0].Error(), "cut off") {
		t.Fatalf("cut file: problems %v, want chunk 5 cut off", probs)
	}
	n5 := 0
	for k := range got {
		if strings.HasPrefix(k, "5/") {
			n5++
		}
	}
	if n5 == 0 {
		t.Error("cut file: no record read from the part of chunk 5 before the cut")
	}
	for k := range intact {
		c := k[:strings.IndexByte(k, '/')]
		if c < "5" && len(c) == 1 {
			if _, ok := got[k]; !ok {
				t.Errorf("cut file: record %s before the cut lost", k)
			}
		}
	}
}

func TestSysmonMapping(t *testing.T) {
	path := filepath.Join(samplesDir, "sb-Sysmon_UACME_64.evtx")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("sample missing: %v", err)
	}
	evs, problems := convert(t, FormatEVTX, string(data))
	if len(problems) > 0 || len(evs) != 530 {
		t.Fatalf("%d events, problems %v", len(evs), problems)
	}
	var dns, pr2 map[string]string
	for _, e := range evs {
		switch {
		case e["event_simpleName"] == "DnsRequest":
			dns = e
		case e["event_simpleName"] == "ProcessRollup2" && pr2 == nil:
			pr2 = e
		}
	}
	want := map[string]string{"DomainName": "wpad", "ContextProcessName": "svchost.exe", "ComputerName": "DESKTOP-NTSSLJD",
		"#sensor": "sysmon", "winlog.event_data.QueryStatus": "9003", "winlog.record_id": "1084", "timestamp": "1603194661476"}
	for k, v := range want {
		if dns[k] != v {
			t.Errorf("DnsRequest %s = %q, want %q", k, dns[k], v)
		}
	}
	for _, k := range []string{"ImageFileName", "CommandLine", "ParentBaseFileName", "UserName", "ComputerName", "SHA256HashData", "SensorUnmapped"} {
		if pr2[k] == "" {
			t.Errorf("ProcessRollup2 lacks %s: %v", k, pr2)
		}
	}
}

func TestAuditdJoinsRecords(t *testing.T) {
	log := `type=SYSCALL msg=audit(1772443965.447:3278): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=44857 pid=327509 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=2 comm="nmap" exe="/usr/bin/nmap" key="exec"` + "\x1d" + `ARCH=x86_64 SYSCALL=execve AUID="quinn" UID="root"
type=EXECVE msg=audit(1772443965.447:3278): argc=4 a0="nmap" a1="-sn" a2="192.168.56.0/24" a3=2F746D702F6120622E786D6C
type=CWD msg=audit(1772443965.447:3278): cwd="/home/quinn"
type=PATH msg=audit(1772443965.447:3278): item=0 name="/usr/bin/nmap" nametype=NORMAL
type=PROCTITLE msg=audit(1772443965.447:3278): proctitle=6E6D6170002D736E
type=EOE msg=audit(1772443965.447:3278):
garbage line
type=SYSCALL msg=audit(1772443966.000:3279): arch=c000003e syscall=42 success=no exit=-115 a0=3 a1=7ffd a2=10 a3=0 items=0 ppid=1 pid=327509 auid=1000 uid=1000 comm="curl" exe="/usr/bin/curl" key=(null)
type=SOCKADDR msg=audit(1772443966.000:3279): saddr=020001BBC7051A2E0000000000000000
type=EOE msg=audit(1772443966.000:3279):
type=SYSCALL msg=audit(1772443967.000:3280): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=1 a2=241 a3=1b6 items=2 ppid=1 pid=9 auid=1000 uid=1000 comm="nmap" exe="/usr/bin/nmap"
type=CWD msg=audit(1772443967.000:3280): cwd="/tmp"
type=PATH msg=audit(1772443967.000:3280): item=0 name="/tmp/" nametype=PARENT
type=PATH msg=audit(1772443967.000:3280): item=1 name="df00tech-nmap-test.xml" nametype=CREATE
type=EOE msg=audit(1772443967.000:3280):
type=SYSCALL msg=audit(1772443967.500:3290): arch=c000003e syscall=42 success=no exit=-115 a0=3 a1=7ffd a2=1c a3=0 items=0 ppid=1 pid=327510 auid=1000 uid=1000 comm="python3" exe="/usr/bin/python3.11"
type=SOCKADDR msg=audit(1772443967.500:3290): saddr=0A0001BB0000000000000000000000000000FFFFC7051A2E00000000
type=EOE msg=audit(1772443967.500:3290):
type=USER_LOGIN msg=audit(1772443968.000:3281): pid=1 uid=0 auid=1000 ses=3 msg='op=login acct="quinn" exe="/usr/sbin/sshd" hostname=? addr=10.0.0.9 terminal=ssh res=success'
`
	evs, problems := convert(t, FormatAuditd, log)
	if len(problems) != 1 || problems[0].Line != 7 {
		t.Fatalf("problems %v, want one at line 7", problems)
	}
	if len(evs) != 5 {
		t.Fatalf("%d events, want 5: %v", len(evs), evs)
	}
	checks := []map[string]string{
		{"event_simpleName": "ProcessRollup2", "ImageFileName": "/usr/bin/nmap", "CommandLine": "nmap -sn 192.168.56.0/24 /tmp/a b.xml",
			"UserName": "quinn", "auditd.cwd": "/home/quinn", "timestamp": "1772443965447", "#sensor": "auditd"},
		{"event_simpleName": "NetworkConnectIP4", "RemoteAddressIP4": "199.5.26.46", "RemotePort": "443", "ContextProcessName": "curl", "UID": "1000", "UserName": ""},
		{"event_simpleName": "GenericFileWritten", "TargetFileName": "/tmp/df00tech-nmap-test.xml", "ContextProcessName": "nmap"},
		{"event_simpleName": "NetworkConnectIP4", "RemoteAddressIP4": "199.5.26.46", "RemotePort": "443", "ContextProcessName": "python3.11"},
		{"event_simpleName": "AuditEvent", "auditd.types": "USER_LOGIN"},
	}
	for i, want := range checks {
		for k, v := range want {
			if evs[i][k] != v {
				t.Errorf("event %d: %s = %q, want %q", i, k, evs[i][k], v)
			}
		}
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		head string
		want Format
	}{
		{`{"event_simpleName":"ProcessRollup2","aid":"x"}`, FormatNone},
		{`{"@timestamp":"2026-03-02T09:00:00Z","winlog":{"event_id":1}}`, FormatWinlogbeat},
		{`type=SYSCALL msg=audit(1772443965.447:3278): arch=c000003e`, FormatAuditd},
		{`{"ID":"1772443965.447:3278","SYSCALL":{"pid":1}}`, FormatLaurel},
		{"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>", FormatWinXML},
		{`[{"Id":1,"LogName":"Microsoft-Windows-Sysmon/Operational","ProviderName":"Microsoft-Windows-Sysmon"}]`, FormatGetWinEvent},
		{"ElfFile\x00rest", FormatEVTX},
		{"hello world", FormatNone},
	} {
		if got := Detect([]byte(c.head)); got != c.want {
			t.Errorf("Detect(%.40q) = %q, want %q", c.head, got, c.want)
		}
	}
}

func TestWindowsExports(t *testing.T) {
	xml := WinEventXML(&WinEvent{Channel: "Microsoft-Windows-Sysmon/Operational", Provider: "Microsoft-Windows-Sysmon", Computer: "WKS-01",
		EventID: "22", RecordID: "7", TimeCreated: "2026-03-02T09:00:00.0000000Z", Data: []KV{{"QueryName", "bgp.he.net"}, {"Image", `C:\x\curl.exe`}}})
	evs, probs := convert(t, FormatWinXML, xml+"\n"+xml)
	if len(evs) != 2 || len(probs) != 0 || evs[1]["DomainName"] != "bgp.he.net" || evs[1]["ContextProcessName"] != "curl.exe" {
		t.Fatalf("XML: %v %v", evs, probs)
	}
	beat := `{"@timestamp":"2026-03-02T09:00:00.000Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","provider_name":"Microsoft-Windows-Sysmon","computer_name":"WKS-01","event_id":"1","record_id":9,"event_data":{"Image":"C:\\nmap\\nmap.exe","CommandLine":"nmap -sn 10.0.0.0/24","User":"CORP\\jdoe","ParentImage":"C:\\Windows\\cmd.exe"}}}` + "\nnot json\n"
	evs, probs = convert(t, FormatWinlogbeat, beat)
	if len(evs) != 1 || len(probs) != 1 || probs[0].Line != 2 || evs[0]["ImageFileName"] != `C:\nmap\nmap.exe` || evs[0]["UserName"] != "jdoe" || evs[0]["ParentBaseFileName"] != "cmd.exe" {
		t.Fatalf("Winlogbeat: %v %v", evs, probs)
	}
	ps := `[{"Id":3,"RecordId":5,"ProviderName":"Microsoft-Windows-Sysmon","LogName":"Microsoft-Windows-Sysmon/Operational","MachineName":"WKS-01","TimeCreated":"/Date(1772442000000)/","Message":"Network connection detected:\r\nImage: C:\\curl.exe\r\nDestinationIp: 1.2.3.4\r\nDestinationPort: 443\r\nInitiated: true","Properties":[{"Value":"C:\\curl.exe"},{"Value":"1.2.3.4"},{"Value":443},{"Value":true}]}]`
	evs, probs = convert(t, FormatGetWinEvent, ps)
	if len(evs) != 1 || len(probs) != 0 || evs[0]["RemotePort"] != "443" || evs[0]["ContextProcessName"] != "curl.exe" || evs[0]["timestamp"] != "1772442000000" {
		t.Fatalf("Get-WinEvent: %v %v", evs, probs)
	}
}

func TestDefenderExports(t *testing.T) {
	rows := `[
 {"Timestamp":"2026-03-02T09:27:23.274Z","DeviceId":"d1","DeviceName":"wks-01.corp.example","ActionType":"ProcessCreated","FileName":"nmap.exe","FolderPath":"C:\\Program Files (x86)\\Nmap\\nmap.exe","ProcessCommandLine":"nmap -sn 192.168.56.0/24","AccountName":"oscar","InitiatingProcessFileName":"cmd.exe","ReportId":7},
 {"Timestamp":"2026-03-02T09:16:29.979Z","DeviceId":"d1","DeviceName":"wks-01.corp.example","ActionType":"ConnectionSuccess","RemoteIP":"199.5.26.46","RemotePort":443,"RemoteUrl":"whois.arin.net","Protocol":"Tcp","InitiatingProcessFileName":"curl.exe","InitiatingProcessAccountName":"oscar","ReportId":8},
 {"Timestamp":"2026-03-02T09:16:28.168Z","DeviceId":"d1","DeviceName":"wks-01","ActionType":"DnsQueryResponse","AdditionalFields":"{\"DnsQueryString\":\"whois.arin.net\",\"DnsQueryType\":\"A\"}","InitiatingProcessFileName":"curl.exe","ReportId":9},
 {"Timestamp":"2026-03-02T09:27:30Z","DeviceId":"d1","DeviceName":"wks-01","ActionType":"FileCreated","FileName":"df00tech-nmap-test.xml","FolderPath":"C:\\Users\\oscar\\AppData\\Local\\Temp","InitiatingProcessFileName":"nmap.exe"},
 {"Timestamp":"2026-03-02T09:27:30Z","DeviceName":"wks-01"}
]`
	evs, probs := convert(t, FormatDefender, rows)
	if len(evs) != 4 || len(probs) != 1 || probs[0].Record != 5 {
		t.Fatalf("events %d, problems %v", len(evs), probs)
	}
	want := []map[string]string{
		{"event_simpleName": "ProcessRollup2", "ImageFileName": `C:\Program Files (x86)\Nmap\nmap.exe`, "CommandLine": "nmap -sn 192.168.56.0/24",
			"ParentBaseFileName": "cmd.exe", "UserName": "oscar", "ComputerName": "wks-01", "id": "defender:d1:7", "timestamp": "1772443643274"},
		{"event_simpleName": "NetworkConnectIP4", "RemoteAddressIP4": "199.5.26.46", "RemotePort": "443", "Protocol": "6", "ContextProcessName": "curl.exe", "defender.RemoteUrl": "whois.arin.net"},
		{"event_simpleName": "DnsRequest", "DomainName": "whois.arin.net", "RequestType": "A", "ContextProcessName": "curl.exe"},
		{"event_simpleName": "GenericFileWritten", "TargetFileName": `C:\Users\oscar\AppData\Local\Temp\df00tech-nmap-test.xml`, "ContextProcessName": "nmap.exe"},
	}
	for i, w := range want {
		for k, v := range w {
			if evs[i][k] != v {
				t.Errorf("row %d: %s = %q, want %q", i, k, evs[i][k], v)
			}
		}
	}
	csvText := "Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,ProcessCommandLine,InitiatingProcessFileName\n" +
		"2026-03-02T09:27:23.274Z,d1,wks-01,ProcessCreated,nmap.exe,C:\\Nmap\\nmap.exe,\"nmap -sn \"\"10.0.0.0/24\"\"\",cmd.exe\n" +
		"2026-03-02T09:27:23.274Z,d1,wks-01,ProcessCreated,too,few\n"
	if Detect([]byte(csvText)) != FormatDefenderCSV {
		t.Fatal("CSV export not detected")
	}
	evs, probs = convert(t, FormatDefenderCSV, csvText)
	if len(evs) != 1 || len(probs) != 1 || probs[0].Line != 3 || evs[0]["CommandLine"] != `nmap -sn "10.0.0.0/24"` || evs[0]["ImageFileName"] != `C:\Nmap\nmap.exe` {
		t.Fatalf("CSV: %v %v", evs, probs)
	}
}

func TestW3CProxyLog(t *testing.T) {
	log := `#Software: SGOS 7.3.16.1
#Version: 1.0
#Fields: date time time-taken c-ip cs-username s-action sc-status cs-method cs-uri-scheme cs-host cs-uri-port cs-uri-stem cs-uri-query cs(User-Agent) s-ip
2026-03-02 09:16:29 419 10.15.33.219 oscar.lewis TCP_NC_MISS 200 GET https whois.arin.net 443 /rest/ip/198.51.100.17 - curl/8.5.0 199.5.26.46
2026-03-02 09:38:18 319 10.15.33.219 oscar.lewis TCP_NC_MISS 200 GET https dnsdumpster.com 443 / - "theHarvester/4.4.3 ""x"" python-requests/2.31.0" 104.21.37.157
2026-03-02 09:38:18 319 10.15.33.219 "unterminated
`
	if Detect([]byte(log)) != FormatW3C {
		t.Fatal("W3C log not detected")
	}
	evs, probs := convert(t, FormatW3C, log)
	if len(evs) != 2 || len(probs) != 1 || probs[0].Line != 6 {
		t.Fatalf("events %v problems %v", evs, probs)
	}
	want := map[string]string{"event_simpleName": ProxyEvent, "cs_host": "whois.arin.net", "DomainName": "whois.arin.net", "cs_username": "oscar.lewis",
		"cs_uri_stem": "/rest/ip/198.51.100.17", "RemotePort": "443", "RemoteAddressIP4": "199.5.26.46", "LocalAddressIP4": "10.15.33.219",
		"timestamp": "1772442989000", "#sensor": "proxy", "UserName": "oscar.lewis"}
	for k, v := range want {
		if evs[0][k] != v {
			t.Errorf("%s = %q, want %q", k, evs[0][k], v)
		}
	}
	if evs[1]["cs_user_agent"] != `theHarvester/4.4.3 "x" python-requests/2.31.0` {
		t.Errorf("user agent %q", evs[1]["cs_user_agent"])
	}
}

// Windows PowerShell 5 and Event Viewer write UTF-16 with a byte-order
// mark (and an XML declaration saying so).
func TestUTF16Exports(t *testing.T) {
	enc := func(s string) string {
		var b bytes.Buffer
		b.Write(bomUTF16LE)
		for _, u := range utf16.Encode([]rune(s)) {
			b.WriteByte(byte(u))
			b.WriteByte(byte(u >> 8))
		}
		return b.String()
	}
	xmlText := enc("<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<Events>" + WinEventXML(&WinEvent{Channel: "Microsoft-Windows-Sysmon/Operational",
		Provider: "Microsoft-Windows-Sysmon", Computer: "WKS-01", EventID: "22", RecordID: "7", TimeCreated: "2026-03-02T09:00:00.0000000Z",
		Data: []KV{{"QueryName", "bgp.he.net"}, {"Image", `C:\Users\ü😀\curl.exe`}}}) + "</Events>")
	if f := Detect([]byte(xmlText)); f != FormatWinXML {
		t.Fatalf("UTF-16 XML detected as %q", f)
	}
	evs, probs := convert(t, FormatWinXML, xmlText)
	if len(evs) != 1 || len(probs) != 0 || evs[0]["DomainName"] != "bgp.he.net" || evs[0]["ContextImageFileName"] != `C:\Users\ü😀\curl.exe` {
		t.Fatalf("UTF-16 XML: %v %v", evs, probs)
	}
	jsonText := enc(`[{"Id":22,"RecordId":1,"ProviderName":"Microsoft-Windows-Sysmon","LogName":"Microsoft-Windows-Sysmon/Operational","MachineName":"WKS-01","TimeCreated":"\/Date(1772442000000)\/","Message":"Dns query:\r\nQueryName: bgp.he.net\r\nImage: C:\\curl.exe","Properties":[{"Value":"bgp.he.net"},{"Value":"C:\\curl.exe"}]}]`)
	if f := Detect([]byte(jsonText)); f != FormatGetWinEvent {
		t.Fatalf("UTF-16 JSON detected as %q", f)
	}
	evs, probs = convert(t, FormatGetWinEvent, jsonText)
	if len(evs) != 1 || len(probs) != 0 || evs[0]["DomainName"] != "bgp.he.net" {
		t.Fatalf("UTF-16 JSON: %v %v", evs, probs)
	}
}
