package sensor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// isDefenderHeader recognises the header row of an Advanced Hunting CSV
// export.
func isDefenderHeader(line []byte) bool {
	return bytes.Contains(line, []byte("Timestamp")) && bytes.Contains(line, []byte("DeviceName")) &&
		bytes.Contains(line, []byte("ActionType")) && bytes.Count(line, []byte(",")) >= 2
}

// defenderCSV converts an Advanced Hunting CSV export (header row first).
func (c *converter) defenderCSV(src io.Reader) error {
	return c.csvRows(src, func(c *converter, header, rec []string, line int) error {
		row := make(map[string]any, len(header))
		for i, h := range header {
			row[h] = rec[i]
		}
		return c.defenderRow(row, "line "+strconv.Itoa(line))
	})
}

func (c *converter) defenderObject(obj map[string]any) error {
	return c.defenderRow(obj, "record "+strconv.Itoa(c.st.Records))
}

// defenderRow maps one Advanced Hunting row. The table is told by the
// row's ActionType (and columns): exports carry no table name.
func (c *converter) defenderRow(row map[string]any, pos string) error {
	g := func(k string) string { return strings.TrimSpace(str(row[k])) }
	action := g("ActionType")
	if g("Timestamp") == "" || action == "" {
		return errors.New("Advanced Hunting row without Timestamp or ActionType")
	}
	ms, ok := parseTimeMillis(g("Timestamp"))
	if !ok {
		return fmt.Errorf("Timestamp %q not understood", g("Timestamp"))
	}
	o := &Out{}
	path := func(folder, file string) string {
		if folder == "" || strings.HasSuffix(strings.ToLower(folder), strings.ToLower(file)) {
			return folder
		}
		sep := `\`
		if strings.HasPrefix(folder, "/") {
			sep = "/"
		}
		return strings.TrimSuffix(folder, sep) + sep + file
	}
	initiating := func() {
		name := g("InitiatingProcessFileName")
		o.Set("ContextProcessName", name)
		o.Set("ContextBaseFileName", name)
		o.Set("ContextImageFileName", path(g("InitiatingProcessFolderPath"), name))
		o.Set("ContextCommandLine", g("InitiatingProcessCommandLine"))
		o.Set("ContextRawProcessId", g("InitiatingProcessId"))
		o.Set("UserName", g("InitiatingProcessAccountName"))
		o.Set("UserDomain", g("InitiatingProcessAccountDomain"))
	}
	table := g("Table")
	if table == "" {
		table = g("$table")
	}
	switch {
	case action == "ProcessCreated" || table == "DeviceProcessEvents":
		table = "DeviceProcessEvents"
		img := path(g("FolderPath"), g("FileName"))
		o.Set("event_simpleName", "ProcessRollup2")
		o.setTime(ms, false)
		o.Set("ImageFileName", img)
		o.Set("FileName", g("FileName"))
		o.Set("FilePath", dirName(img))
		o.Set("CommandLine", g("ProcessCommandLine"))
		o.Set("RawProcessId", g("ProcessId"))
		o.Set("ParentBaseFileName", g("InitiatingProcessFileName"))
		o.Set("ParentImageFileName", path(g("InitiatingProcessFolderPath"), g("InitiatingProcessFileName")))
		o.Set("ParentCommandLine", g("InitiatingProcessCommandLine"))
		o.Set("UserName", g("AccountName"))
		o.Set("UserDomain", g("AccountDomain"))
		o.Set("UserSid", g("AccountSid"))
		o.Set("SHA256HashData", g("SHA256"))
		o.Set("MD5HashData", g("MD5"))
		o.Set("SHA1HashData", g("SHA1"))
		o.Set(FieldUnmapped, "aid,TargetProcessId,ParentProcessId (Defender gives OS process ids)")
	case strings.HasPrefix(action, "Connection") || action == "InboundConnectionAccepted" || action == "ListeningConnectionCreated" || table == "DeviceNetworkEvents":
		table = "DeviceNetworkEvents"
		remote, local := unmapV4(g("RemoteIP")), unmapV4(g("LocalIP"))
		fam := "IP4"
		if strings.Contains(remote, ":") {
			fam = "IP6"
		}
		name := "NetworkConnect" + fam
		dir := "0"
		switch action {
		case "InboundConnectionAccepted":
			name, dir = "NetworkReceiveAccept"+fam, "1"
		case "ListeningConnectionCreated":
			name, dir = "NetworkListen"+fam, "2"
		}
		o.Set("event_simpleName", name)
		o.setTime(ms, true)
		o.Set("RemoteAddress"+fam, remote)
		o.Set("RemotePort", g("RemotePort"))
		o.Set("LocalAddress"+fam, local)
		o.Set("LocalPort", g("LocalPort"))
		o.Set("ConnectionDirection", dir)
		switch strings.ToLower(g("Protocol")) {
		case "tcp":
			o.Set("Protocol", "6")
		case "udp":
			o.Set("Protocol", "17")
		case "icmp":
			o.Set("Protocol", "1")
		}
		initiating()
		o.Set(FieldUnmapped, "aid,ContextProcessId")
	case strings.HasPrefix(action, "File") || table == "DeviceFileEvents":
		table = "DeviceFileEvents"
		target := path(g("FolderPath"), g("FileName"))
		switch action {
		case "FileCreated", "FileModified":
			o.Set("event_simpleName", "GenericFileWritten")
		case "FileDeleted":
			o.Set("event_simpleName", "FileDeleteInfo")
		case "FileRenamed":
			o.Set("event_simpleName", "FileRenameInfo")
		default:
			o.Set("event_simpleName", "DefenderEvent")
		}
		o.setTime(ms, true)
		o.Set("TargetFileName", target)
		o.Set("FileName", g("FileName"))
		o.Set("FilePath", dirName(target))
		o.Set("SHA256HashData", g("SHA256"))
		initiating()
		o.Set(FieldUnmapped, "aid,ContextProcessId,Size")
	case action == "DnsQueryResponse":
		table = "DeviceEvents"
		var extra map[string]any
		if af := g("AdditionalFields"); af != "" {
			if err := json.Unmarshal([]byte(af), &extra); err != nil {
				if m, ok := row["AdditionalFields"].(map[string]any); ok {
					extra = m
				} else {
					return fmt.Errorf("AdditionalFields is not JSON: %v", err)
				}
			}
		}
		o.Set("event_simpleName", "DnsRequest")
		o.setTime(ms, true)
		o.Set("DomainName", strings.TrimSuffix(str(extra["DnsQueryString"]), "."))
		o.Set("RequestType", str(extra["DnsQueryType"]))
		initiating()
		o.Set(FieldUnmapped, "aid,ContextProcessId")
	default:
		o.Set("event_simpleName", "DefenderEvent")
		o.setTime(ms, true)
		initiating()
		o.Set(FieldUnmapped, "no Falcon event type for Defender ActionType "+action)
	}
	o.Set(FieldSensor, Defender)
	if rid := g("ReportId"); rid != "" {
		o.Set("id", "defender:"+g("DeviceId")+":"+rid)
	}
	o.Set("ComputerName", strings.SplitN(g("DeviceName"), ".", 2)[0])
	o.Set("defender.table", table)
	for _, k := range sortedKeys(row) {
		if v := str(row[k]); v != "" {
			o.Set("defender."+k, v)
		}
	}
	o.Set(FieldPosition, pos)
	c.emit(o)
	return nil
}

// unmapV4 turns an IPv4-mapped IPv6 address (::ffff:1.2.3.4) into IPv4.
func unmapV4(ip string) string {
	if rest, ok := strings.CutPrefix(strings.ToLower(ip), "::ffff:"); ok && isIPv4(rest) {
		return rest
	}
	return ip
}
