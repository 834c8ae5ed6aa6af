package sensor

import (
	"encoding/json"
	"strconv"
	"time"
)

// defender writes Advanced Hunting rows (one JSON object per line, the
// columns of DeviceProcessEvents, DeviceNetworkEvents, DeviceFileEvents and
// DeviceEvents/DnsQueryResponse).
func (e *Emitter) defender(ev string, f func(string) string, ms int64, aid string, ctx *emuProc) error {
	ts := time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
	win := f("event_platform") == "Win"
	host := f("ComputerName")
	row := []KV{{"Timestamp", ts}, {"DeviceId", aid}, {"DeviceName", host}, {"ReportId", strconv.FormatInt(e.n+1, 10)}}
	initiating := func(p *emuProc) []KV {
		return []KV{{"InitiatingProcessFileName", baseName(p.image)}, {"InitiatingProcessFolderPath", p.image},
			{"InitiatingProcessCommandLine", p.cmd}, {"InitiatingProcessId", p.pid}, {"InitiatingProcessAccountName", p.user}}
	}
	switch ev {
	case "ProcessRollup2":
		p := e.procs[aid+"/"+f("TargetProcessId")]
		if p == nil {
			return nil
		}
		parent := e.procs[p.parent]
		if parent == nil {
			parent = &emuProc{image: f("ParentBaseFileName")}
		}
		row = append(row, KV{"ActionType", "ProcessCreated"}, KV{"FileName", baseName(p.image)}, KV{"FolderPath", p.image},
			KV{"SHA256", f("SHA256HashData")}, KV{"MD5", f("MD5HashData")}, KV{"ProcessId", p.pid},
			KV{"ProcessCommandLine", p.cmd}, KV{"AccountName", p.user})
		row = append(row, initiating(parent)...)
	case "NetworkConnectIP4":
		proto := map[string]string{"6": "Tcp", "17": "Udp"}[f("Protocol")]
		if proto == "" {
			return nil // ICMP is not in DeviceNetworkEvents
		}
		row = append(row, KV{"ActionType", "ConnectionSuccess"}, KV{"RemoteIP", f("RemoteAddressIP4")}, KV{"RemotePort", f("RemotePort")},
			KV{"RemoteUrl", e.lastDNS[aid+"/"+f("ContextProcessId")]}, KV{"LocalIP", f("LocalAddressIP4")}, KV{"LocalPort", f("LocalPort")},
			KV{"Protocol", proto}, KV{"RemoteIPType", "Public"})
		row = append(row, initiating(ctx)...)
	case "DnsRequest":
		if !win {
			return nil // DnsQueryResponse is reported by Windows devices
		}
		extra, _ := json.Marshal(map[string]string{"DnsQueryString": f("DomainName"), "DnsQueryType": map[string]string{"28": "AAAA"}[f("RequestType")] + map[bool]string{true: "A"}[f("RequestType") != "28"]})
		row = append(row, KV{"ActionType", "DnsQueryResponse"}, KV{"AdditionalFields", string(extra)})
		row = append(row, initiating(ctx)...)
	case "GenericFileWritten":
		target := f("TargetFileName")
		if win {
			target = driveLetterPath(target)
		}
		row = append(row, KV{"ActionType", "FileCreated"}, KV{"FileName", baseName(target)}, KV{"FolderPath", target})
		row = append(row, initiating(ctx)...)
	default:
		return nil
	}
	b := []byte{'{'}
	for i, kv := range row {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(kv.Name)
		v, _ := json.Marshal(kv.Value)
		b = append(append(append(b, k...), ':'), v...)
	}
	e.n++
	_, err := e.out.Write(append(b, '}', '\n'))
	return err
}
