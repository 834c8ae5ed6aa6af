package sensor

import (
	"strconv"
	"strings"
)

// WinEvent is a Windows event whatever it was read from (EVTX, wevtutil
// XML, Winlogbeat or Get-WinEvent JSON): the System values and the
// EventData (or UserData) values, in order.
type WinEvent struct {
	Channel     string
	Provider    string
	Computer    string
	EventID     string
	RecordID    string
	TimeCreated string // ISO 8601 UTC
	UserID      string // System/Security/@UserID (a SID)
	ProcessID   string // System/Execution/@ProcessID
	Data        []KV   // EventData by name ("Data[i]" for unnamed), UserData leaves
}

// KV is one named value.
type KV struct{ Name, Value string }

// Get returns the named EventData value.
func (w *WinEvent) Get(name string) string {
	for _, kv := range w.Data {
		if kv.Name == name {
			return kv.Value
		}
	}
	return ""
}

// WinEventFromNode reads a rendered <Event> element.
func WinEventFromNode(ev *Node) *WinEvent {
	w := &WinEvent{}
	sys := ev.Child("System")
	if sys != nil {
		if p := sys.Child("Provider"); p != nil {
			w.Provider, _ = p.Attr("Name")
		}
		w.EventID = strings.TrimSpace(textOf(sys.Child("EventID")))
		w.Channel = textOf(sys.Child("Channel"))
		w.Computer = textOf(sys.Child("Computer"))
		w.RecordID = textOf(sys.Child("EventRecordID"))
		if tc := sys.Child("TimeCreated"); tc != nil {
			w.TimeCreated, _ = tc.Attr("SystemTime")
		}
		if s := sys.Child("Security"); s != nil {
			w.UserID, _ = s.Attr("UserID")
		}
		if x := sys.Child("Execution"); x != nil {
			w.ProcessID, _ = x.Attr("ProcessID")
		}
	}
	unnamed := 0
	if ed := ev.Child("EventData"); ed != nil {
		for _, c := range ed.Children {
			val := c.Text
			if c.IsArray {
				val = strings.Join(c.Array, "\n")
			}
			switch c.Name {
			case "Data":
				if name, ok := c.Attr("Name"); ok {
					w.Data = append(w.Data, KV{name, val})
					continue
				}
				items := []string{val}
				if c.IsArray {
					items = c.Array
				}
				for _, it := range items {
					w.Data = append(w.Data, KV{"Data[" + strconv.Itoa(unnamed) + "]", it})
					unnamed++
				}
			default:
				w.Data = append(w.Data, KV{c.Name, val})
			}
		}
	}
	if ud := ev.Child("UserData"); ud != nil {
		for _, wrapper := range ud.Children {
			var walk func(n *Node)
			walk = func(n *Node) {
				if len(n.Children) == 0 {
					w.Data = append(w.Data, KV{n.Name, n.Text})
				}
				for _, c := range n.Children {
					walk(c)
				}
			}
			for _, c := range wrapper.Children {
				walk(c)
			}
		}
	}
	return w
}

func textOf(n *Node) string {
	if n == nil {
		return ""
	}
	return n.Text
}

// MapWindows maps a Windows event onto the Falcon model. Sysmon events
// with a Falcon counterpart (1, 3, 5, 7, 11, 13, 22) become that event type;
// every other event keeps its own fields under its channel's name with
// event_simpleName "WindowsEvent" so rules can still read it.
func MapWindows(w *WinEvent) *Out {
	o := &Out{}
	sensor := Windows
	if strings.EqualFold(w.Provider, "Microsoft-Windows-Sysmon") || strings.HasPrefix(w.Channel, "Microsoft-Windows-Sysmon") {
		sensor = Sysmon
	}
	ms, _ := parseTimeMillis(w.TimeCreated)
	name := ""
	if sensor == Sysmon {
		name = mapSysmon(o, w, ms)
	} else if w.EventID == "4688" && w.Channel == "Security" {
		name = mapSecurity4688(o, w, ms)
	}
	if name == "" {
		o.Set("event_simpleName", "WindowsEvent")
		o.setTime(ms, true)
		o.Set(FieldUnmapped, "no Falcon event type for "+w.Channel+" event "+w.EventID)
	}
	o.Set(FieldSensor, sensor)
	if w.RecordID != "" {
		// The record's own identity, for alert ids and validation.
		o.Set("id", sensor+":"+w.Computer+":"+w.Channel+":"+w.RecordID)
	}
	o.Set("event_platform", "Win")
	o.Set("ComputerName", w.Computer)
	o.add("winlog.channel", w.Channel)
	o.add("winlog.provider_name", w.Provider)
	o.add("winlog.event_id", w.EventID)
	o.add("winlog.record_id", w.RecordID)
	o.add("winlog.time_created", w.TimeCreated)
	o.add("winlog.user.identifier", w.UserID)
	o.add("winlog.process.pid", w.ProcessID)
	seen := make(map[string]bool, len(w.Data))
	for _, kv := range w.Data {
		// A repeated Data name keeps its first value, as a flat field must.
		if !seen[kv.Name] {
			seen[kv.Name] = true
			o.add("winlog.event_data."+kv.Name, kv.Value)
		}
	}
	return o
}

// sysmonContext sets the acting-process fields of a Sysmon context event.
// sysmonEvent starts a Falcon event from a Sysmon record: its name, the
// time it was logged and the time the record says it happened (UtcTime).
func sysmonEvent(o *Out, w *WinEvent, name string, ms int64) {
	o.Set("event_simpleName", name)
	o.setTimes(ms, utcMillis(w, "UtcTime", ms))
}

func sysmonContext(o *Out, w *WinEvent) {
	img := w.Get("Image")
	o.Set("ContextProcessName", baseName(img))
	o.Set("ContextBaseFileName", baseName(img))
	o.Set("ContextImageFileName", img)
	o.Set("ContextProcessId", w.Get("ProcessGuid"))
	o.Set("ContextRawProcessId", w.Get("ProcessId"))
	if u := w.Get("User"); u != "" {
		name, dom := userPart(u)
		o.Set("UserName", name)
		o.Set("UserDomain", dom)
	}
}

func utcMillis(w *WinEvent, field string, fallback int64) int64 {
	if ms, ok := parseTimeMillis(w.Get(field)); ok {
		return ms
	}
	return fallback
}

// hashes splits Sysmon's "SHA1=..,MD5=..,SHA256=..,IMPHASH=.." list.
func hashes(o *Out, s string) {
	for part := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		v = strings.ToLower(strings.TrimSpace(v))
		switch strings.ToUpper(strings.TrimSpace(k)) {
		case "SHA256":
			o.Set("SHA256HashData", v)
		case "SHA1":
			o.Set("SHA1HashData", v)
		case "MD5":
			o.Set("MD5HashData", v)
		case "IMPHASH":
			o.Set("ImpHash", v)
		}
	}
}

func mapSysmon(o *Out, w *WinEvent, ms int64) string {
	switch w.EventID {
	case "1":
		img := w.Get("Image")
		o.Set("event_simpleName", "ProcessRollup2")
		o.setTime(ms, false)
		o.Set("ImageFileName", img)
		o.Set("FileName", baseName(img))
		o.Set("FilePath", dirName(img))
		o.Set("CommandLine", w.Get("CommandLine"))
		o.Set("TargetProcessId", w.Get("ProcessGuid"))
		o.Set("RawProcessId", w.Get("ProcessId"))
		o.Set("ParentProcessId", w.Get("ParentProcessGuid"))
		o.Set("ParentBaseFileName", baseName(w.Get("ParentImage")))
		o.Set("ParentImageFileName", w.Get("ParentImage"))
		o.Set("ParentCommandLine", w.Get("ParentCommandLine"))
		if u := w.Get("User"); u != "" {
			name, dom := userPart(u)
			o.Set("UserName", name)
			o.Set("UserDomain", dom)
		}
		o.Set("SessionId", w.Get("TerminalSessionId"))
		o.Set("AuthenticationId", hexToDec(w.Get("LogonId")))
		o.Set("IntegrityLevel", integrityRID[strings.ToLower(w.Get("IntegrityLevel"))])
		o.Set("ProcessStartTime", secs(utcMillis(w, "UtcTime", ms)))
		hashes(o, w.Get("Hashes"))
		o.Set(FieldUnmapped, "aid,UserSid (Sysmon gives the account name, not its SID)")
		return "ProcessRollup2"
	case "3":
		inbound := w.Get("Initiated") == "false"
		local, remote := "Source", "Destination"
		if inbound {
			local, remote = "Destination", "Source"
		}
		remoteIP, localIP := unmapV4(w.Get(remote+"Ip")), unmapV4(w.Get(local+"Ip"))
		// A dual-stack socket reaching an IPv4-mapped peer is an IPv4 connection.
		v6 := w.Get("DestinationIsIpv6") == "true" && strings.Contains(remoteIP, ":")
		name := "NetworkConnectIP4"
		dir := "0"
		if inbound {
			name = "NetworkReceiveAcceptIP4"
			dir = "1"
		}
		if v6 {
			name = strings.Replace(name, "IP4", "IP6", 1)
		}
		o.Set("event_simpleName", name)
		o.setTimes(ms, utcMillis(w, "UtcTime", ms))
		fam := "IP4"
		if v6 {
			fam = "IP6"
		}
		o.Set("RemoteAddress"+fam, remoteIP)
		o.Set("RemotePort", w.Get(remote+"Port"))
		o.Set("LocalAddress"+fam, localIP)
		o.Set("LocalPort", w.Get(local+"Port"))
		o.Set("RemoteHostName", w.Get(remote+"Hostname"))
		o.Set("ConnectionDirection", dir)
		switch strings.ToLower(w.Get("Protocol")) {
		case "tcp":
			o.Set("Protocol", "6")
		case "udp":
			o.Set("Protocol", "17")
		}
		sysmonContext(o, w)
		o.Set(FieldUnmapped, "aid,ConnectionFlags")
		return name
	case "5":
		sysmonEvent(o, w, "EndOfProcess", ms)
		o.Set("TargetProcessId", w.Get("ProcessGuid"))
		o.Set("RawProcessId", w.Get("ProcessId"))
		o.Set("ImageFileName", w.Get("Image"))
		sysmonContext(o, w)
		o.Set(FieldUnmapped, "aid,ExitCode,UserSid")
		return "EndOfProcess"
	case "7":
		sysmonEvent(o, w, "ClassifiedModuleLoad", ms)
		o.Set("ImageFileName", w.Get("ImageLoaded"))
		o.Set("TargetImageFileName", w.Get("ImageLoaded"))
		hashes(o, w.Get("Hashes"))
		sysmonContext(o, w)
		o.Set(FieldUnmapped, "aid (Falcon reports selected module loads only)")
		return "ClassifiedModuleLoad"
	case "11":
		target := w.Get("TargetFilename")
		sysmonEvent(o, w, "GenericFileWritten", ms)
		o.Set("TargetFileName", target)
		o.Set("FileName", baseName(target))
		o.Set("FilePath", dirName(target))
		sysmonContext(o, w)
		o.Set(FieldUnmapped, "aid,Size (Sysmon logs creation, not the bytes written)")
		return "GenericFileWritten"
	case "13":
		sysmonEvent(o, w, "AsepValueUpdate", ms)
		key, value := splitRegistryPath(w.Get("TargetObject"))
		o.Set("RegObjectName", key)
		o.Set("RegValueName", value)
		o.Set("RegStringValue", w.Get("Details"))
		sysmonContext(o, w)
		o.Set(FieldUnmapped, "aid,RegType,RegOperationType (Falcon reports ASEP keys only)")
		return "AsepValueUpdate"
	case "22":
		sysmonEvent(o, w, "DnsRequest", ms)
		o.Set("DomainName", w.Get("QueryName"))
		o.Set("QueryStatus", w.Get("QueryStatus"))
		o.Set("IP4Records", ip4Records(w.Get("QueryResults")))
		sysmonContext(o, w)
		o.Set(FieldUnmapped, "aid,RequestType (Sysmon does not log the query type)")
		return "DnsRequest"
	}
	return ""
}

// integrityRID maps Sysmon's integrity level names to the mandatory-label
// RIDs Falcon reports.
var integrityRID = map[string]string{"untrusted": "0", "low": "4096", "medium": "8192", "mediumplus": "8448", "high": "12288", "system": "16384"}

// splitRegistryPath turns Sysmon's HKLM\...\Key\Value into Falcon's
// \REGISTRY\MACHINE\...\Key and the value name.
func splitRegistryPath(p string) (key, value string) {
	i := strings.LastIndexByte(p, '\\')
	if i < 0 {
		return p, ""
	}
	key, value = p[:i], p[i+1:]
	switch {
	case strings.HasPrefix(key, `HKLM\`):
		key = `\REGISTRY\MACHINE\` + key[5:]
	case strings.HasPrefix(key, `HKU\`):
		key = `\REGISTRY\USER\` + key[4:]
	case strings.HasPrefix(key, `HKCR\`):
		key = `\REGISTRY\MACHINE\SOFTWARE\Classes\` + key[5:]
	}
	return key, value
}

// ip4Records keeps the IPv4 answers of Sysmon's QueryResults
// ("type:  5 host;::ffff:1.2.3.4;") as Falcon's ";"-terminated list.
func ip4Records(s string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "::ffff:")
		if isIPv4(part) {
			b.WriteString(part)
			b.WriteByte(';')
		}
	}
	return b.String()
}

func isIPv4(s string) bool {
	n := 0
	for part := range strings.SplitSeq(s, ".") {
		v, err := strconv.Atoi(part)
		if err != nil || v < 0 || v > 255 {
			return false
		}
		n++
	}
	return n == 4
}

// mapSecurity4688 maps a Security process-creation event (with command
// line auditing) onto ProcessRollup2.
func mapSecurity4688(o *Out, w *WinEvent, ms int64) string {
	img := w.Get("NewProcessName")
	o.Set("event_simpleName", "ProcessRollup2")
	o.setTime(ms, false)
	o.Set("ImageFileName", img)
	o.Set("FileName", baseName(img))
	o.Set("FilePath", dirName(img))
	o.Set("CommandLine", w.Get("CommandLine"))
	o.Set("ParentBaseFileName", baseName(w.Get("ParentProcessName")))
	o.Set("ParentImageFileName", w.Get("ParentProcessName"))
	user := w.Get("TargetUserName")
	if user == "" || user == "-" {
		user = w.Get("SubjectUserName")
	}
	o.Set("UserName", user)
	o.Set("UserSid", w.Get("SubjectUserSid"))
	o.Set("RawProcessId", hexToDec(w.Get("NewProcessId")))
	o.Set(FieldUnmapped, "aid,TargetProcessId,ParentProcessId,SHA256HashData (4688 has no process GUID or hashes)")
	return "ProcessRollup2"
}

func hexToDec(s string) string {
	if v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64); err == nil && strings.HasPrefix(s, "0x") {
		return strconv.FormatUint(v, 10)
	}
	return s
}
