package sensor

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Emitter turns emulated Falcon telemetry (LogScale view, in time order)
// into what another sensor would have recorded of the same activity:
// Sysmon (Windows event XML, or EVTX), auditd (raw audit.log), Defender
// XDR (Advanced Hunting JSON) or proxy (W3C log). Each Write is
// one or more whole Falcon JSON lines. Activity the sensor cannot see
// (Sysmon and ICMP, auditd and DNS names, a proxy and anything but web
// traffic) is left out, as the real sensor would leave it out. The proxy
// log is W3C extended (Blue Coat style), which carries user agents.
type Emitter struct {
	sensor string
	out    *bufio.Writer
	evtx   *EVTXWriter
	procs  map[string]*emuProc
	// last DNS name each process resolved, for Sysmon 3 host names and
	// proxy Host headers
	lastDNS map[string]string
	serial  uint64
	pending []byte
	n       int64 // records written
	err     error
}

type emuProc struct {
	image, cmd, user, guid, pid, parent string
}

// NewEmitter writes sensor records to out, or to evtx (Sysmon only) when
// it is not nil.
func NewEmitter(sensor string, out io.Writer, evtx io.WriteSeeker) (*Emitter, error) {
	e := &Emitter{sensor: sensor, out: bufio.NewWriterSize(out, 1<<20), procs: map[string]*emuProc{}, lastDNS: map[string]string{}, serial: 1000}
	switch sensor {
	case Sysmon, Auditd, Defender, Proxy:
	default:
		return nil, fmt.Errorf("unknown sensor %q (want sysmon, auditd, defender or proxy)", sensor)
	}
	if evtx != nil {
		if sensor != Sysmon {
			return nil, fmt.Errorf("EVTX output is for the sysmon sensor, not %s", sensor)
		}
		w, err := NewEVTXWriter(evtx)
		if err != nil {
			return nil, err
		}
		e.evtx = w
	}
	return e, nil
}

// Records is the number of sensor records written so far.
func (e *Emitter) Records() int64 { return e.n }

// Write takes Falcon JSON lines.
func (e *Emitter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	data := p
	if len(e.pending) > 0 {
		e.pending = append(e.pending, p...)
		data = e.pending
	}
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		if err := e.line(data[:i]); err != nil {
			e.err = err
			return 0, err
		}
		data = data[i+1:]
	}
	e.pending = append(e.pending[:0], data...)
	return len(p), nil
}

// Close flushes the output (and finishes the EVTX file).
func (e *Emitter) Close() error {
	if e.evtx != nil {
		if err := e.evtx.Close(); err != nil {
			return err
		}
	}
	return e.out.Flush()
}

func (e *Emitter) line(line []byte) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	obj, err := decodeObject(line)
	if err != nil {
		return err
	}
	f := func(k string) string { return str(obj[k]) }
	ev := f("event_simpleName")
	if ev == "" {
		return nil
	}
	aid := f("aid")
	ms, _ := strconv.ParseInt(f("timestamp"), 10, 64)
	win := f("event_platform") == "Win"
	switch ev {
	case "ProcessRollup2", "SyntheticProcessRollup2":
		p := &emuProc{image: f("ImageFileName"), cmd: f("CommandLine"), user: f("UserName"), pid: f("RawProcessId"), parent: aid + "/" + f("ParentProcessId")}
		if win {
			p.image = driveLetterPath(p.image)
		}
		p.guid = processGUID(aid, f("TargetProcessId"))
		e.procs[aid+"/"+f("TargetProcessId")] = p
		if ev == "SyntheticProcessRollup2" {
			return nil // already running when the sensor started
		}
	case "DnsRequest":
		e.lastDNS[aid+"/"+f("ContextProcessId")] = f("DomainName")
	}
	ctx := e.procs[aid+"/"+f("ContextProcessId")]
	if ctx == nil {
		ctx = &emuProc{image: f("ContextProcessName"), user: f("UserName"), guid: processGUID(aid, f("ContextProcessId"))}
	}
	switch e.sensor {
	case Sysmon:
		if win {
			return e.sysmon(ev, f, ms, aid, ctx)
		}
	case Auditd:
		if !win && f("event_platform") == "Lin" {
			return e.auditd(ev, f, ms, aid, ctx)
		}
	case Defender:
		if win || f("event_platform") == "Lin" {
			return e.defender(ev, f, ms, aid, ctx)
		}
	case Proxy:
		return e.proxy(ev, f, ms, aid, ctx)
	}
	return nil
}

// driveLetterPath turns Falcon's \Device\HarddiskVolumeN\ path into C:\.
func driveLetterPath(p string) string {
	const dev = `\Device\HarddiskVolume`
	if strings.HasPrefix(p, dev) {
		rest := p[len(dev):]
		if i := strings.IndexByte(rest, '\\'); i >= 0 {
			return `C:` + rest[i:]
		}
	}
	return p
}

// processGUID makes a Sysmon-style process GUID from the host and process ids.
func processGUID(aid, upid string) string {
	v, _ := strconv.ParseUint(upid, 10, 64)
	a := (aid + "00000000")[:8]
	return strings.ToUpper(fmt.Sprintf("{%s-%04x-%04x-%04x-%012x}", a, (v>>48)&0xffff, (v>>32)&0xffff, (v>>16)&0xffff, v&0xffffffffffff))
}

func utcTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000")
}

func msToFiletime(ms int64) uint64 { return uint64(ms*10_000 + filetimeEpochDelta) }

func (e *Emitter) sysmon(ev string, f func(string) string, ms int64, aid string, ctx *emuProc) error {
	w := &WinEvent{Channel: "Microsoft-Windows-Sysmon/Operational", Provider: "Microsoft-Windows-Sysmon",
		Computer: f("ComputerName"), ProcessID: "3120", UserID: "S-1-5-18"}
	user := func(u string) string {
		if u == "" {
			return ""
		}
		if strings.EqualFold(u, "SYSTEM") {
			return `NT AUTHORITY\SYSTEM`
		}
		return strings.ToUpper(strings.SplitN(f("ComputerName"), ".", 2)[0]) + `\` + u
	}
	switch ev {
	case "ProcessRollup2":
		p := e.procs[aid+"/"+f("TargetProcessId")]
		parent := e.procs[p.parent]
		if parent == nil {
			parent = &emuProc{image: f("ParentBaseFileName"), guid: processGUID(aid, f("ParentProcessId"))}
		}
		w.EventID = "1"
		w.Data = []KV{{"RuleName", "-"}, {"UtcTime", utcTime(ms)}, {"ProcessGuid", p.guid}, {"ProcessId", p.pid},
			{"Image", p.image}, {"FileVersion", "-"}, {"Description", "-"}, {"Product", "-"}, {"Company", "-"},
			{"OriginalFileName", baseName(p.image)}, {"CommandLine", p.cmd}, {"CurrentDirectory", `C:\Windows\system32\`},
			{"User", user(p.user)}, {"LogonGuid", processGUID(aid, "0")}, {"LogonId", "0x3e7"}, {"TerminalSessionId", "1"},
			{"IntegrityLevel", "Medium"}, {"Hashes", "SHA256=" + strings.ToUpper(f("SHA256HashData")) + ",MD5=" + strings.ToUpper(f("MD5HashData"))},
			{"ParentProcessGuid", parent.guid}, {"ParentProcessId", parent.pid}, {"ParentImage", parent.image},
			{"ParentCommandLine", parent.cmd}, {"ParentUser", user(parent.user)}}
	case "DnsRequest":
		w.EventID = "22"
		w.Data = []KV{{"RuleName", "-"}, {"UtcTime", utcTime(ms)}, {"ProcessGuid", ctx.guid}, {"ProcessId", ctx.pid},
			{"QueryName", f("DomainName")}, {"QueryStatus", "0"}, {"QueryResults", "-"}, {"Image", ctx.image}, {"User", user(ctx.user)}}
	case "NetworkConnectIP4":
		proto := "tcp"
		switch f("Protocol") {
		case "17":
			proto = "udp"
		case "6":
		default:
			return nil // Sysmon logs TCP and UDP only: ICMP leaves no event
		}
		w.EventID = "3"
		w.Data = []KV{{"RuleName", "-"}, {"UtcTime", utcTime(ms)}, {"ProcessGuid", ctx.guid}, {"ProcessId", ctx.pid},
			{"Image", ctx.image}, {"User", user(ctx.user)}, {"Protocol", proto}, {"Initiated", "true"},
			{"SourceIsIpv6", "false"}, {"SourceIp", f("LocalAddressIP4")}, {"SourceHostname", "-"}, {"SourcePort", f("LocalPort")},
			{"SourcePortName", "-"}, {"DestinationIsIpv6", "false"}, {"DestinationIp", f("RemoteAddressIP4")},
			{"DestinationHostname", e.lastDNS[aid+"/"+f("ContextProcessId")]}, {"DestinationPort", f("RemotePort")}, {"DestinationPortName", "-"}}
	case "GenericFileWritten":
		w.EventID = "11"
		w.Data = []KV{{"RuleName", "-"}, {"UtcTime", utcTime(ms)}, {"ProcessGuid", ctx.guid}, {"ProcessId", ctx.pid},
			{"Image", ctx.image}, {"TargetFilename", driveLetterPath(f("TargetFileName"))}, {"CreationUtcTime", utcTime(ms)}, {"User", user(ctx.user)}}
	case "EndOfProcess":
		p := e.procs[aid+"/"+f("TargetProcessId")]
		if p == nil {
			return nil
		}
		w.EventID = "5"
		w.Data = []KV{{"RuleName", "-"}, {"UtcTime", utcTime(ms)}, {"ProcessGuid", p.guid}, {"ProcessId", p.pid}, {"Image", p.image}, {"User", user(p.user)}}
	default:
		return nil
	}
	e.n++
	if e.evtx != nil {
		return e.evtx.Write(w, msToFiletime(ms))
	}
	w.RecordID = strconv.FormatInt(e.n, 10)
	w.TimeCreated = time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.0000000Z")
	_, err := e.out.WriteString(WinEventXML(w) + "\n")
	return err
}

// WinEventXML renders an event as one line of Windows event XML, as
// wevtutil qe /f:xml prints it.
func WinEventXML(w *WinEvent) string {
	var b strings.Builder
	b.WriteString(`<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='`)
	b.WriteString(xmlEscape(w.Provider))
	b.WriteString(`' Guid='` + sysmonGUID + `'/><EventID>` + xmlEscape(w.EventID) + `</EventID><Version>5</Version><Level>4</Level><Task>` +
		xmlEscape(w.EventID) + `</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='` +
		xmlEscape(w.TimeCreated) + `'/><EventRecordID>` + xmlEscape(w.RecordID) + `</EventRecordID><Correlation/><Execution ProcessID='` +
		xmlEscape(w.ProcessID) + `' ThreadID='0'/><Channel>` + xmlEscape(w.Channel) + `</Channel><Computer>` + xmlEscape(w.Computer) +
		`</Computer><Security UserID='` + xmlEscape(w.UserID) + `'/></System><EventData>`)
	for _, kv := range w.Data {
		b.WriteString(`<Data Name='` + xmlEscape(kv.Name) + `'>` + xmlEscape(kv.Value) + `</Data>`)
	}
	b.WriteString(`</EventData></Event>`)
	return b.String()
}

func xmlEscape(s string) string {
	if !strings.ContainsAny(s, `<>&'"`+"\r\n") {
		return s
	}
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", `"`, "&quot;", "\r", "&#13;", "\n", "&#10;")
	return r.Replace(s)
}
