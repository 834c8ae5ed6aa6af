package sensor

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// auditEvent is one audit event: the records sharing a msg=audit(time:serial)
// id, whether read from raw audit.log or from Laurel's JSON.
type auditEvent struct {
	id      string
	ms      int64
	node    string
	line    int // first line
	types   []string
	syscall map[string]string // SYSCALL fields, raw and enriched (upper-case) names
	argv    []string          // EXECVE arguments, decoded
	cwd     string
	paths   []map[string]string
	title   []string // PROCTITLE, decoded
	sock    *sockAddr
	other   map[string]string // fields of a non-syscall record (USER_*, ...)
	parent  string            // parent's executable or command name (Laurel's PPID enrichment)
	raw     []string
}

type sockAddr struct {
	family string // inet, inet6, local
	addr   string
	port   string
}

var auditHeader = regexp.MustCompile(`^(?:node=(\S+) )?type=([A-Z_0-9]+) msg=audit\((\d+)\.(\d+):(\d+)\): ?`)

// auditFields splits "k=v k2="quoted v" ..." (the enriched part after
// \x1d too) into a map.
func auditFields(s string) map[string]string {
	m := map[string]string{}
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \x1d")
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			break
		}
		k := s[:eq]
		if sp := strings.IndexAny(k, " \x1d"); sp >= 0 {
			s = s[sp:]
			continue
		}
		s = s[eq+1:]
		var v string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				v, s = s[1:], ""
			} else {
				v, s = s[1:end+1], s[end+2:]
			}
			m[k] = v
			continue
		}
		if strings.HasPrefix(s, "'") { // msg='...' of user-space records
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				v, s = s[1:], ""
			} else {
				v, s = s[1:end+1], s[end+2:]
			}
			for kk, vv := range auditFields(v) {
				m[kk] = vv
			}
			continue
		}
		end := strings.IndexAny(s, " \x1d")
		if end < 0 {
			v, s = s, ""
		} else {
			v, s = s[:end], s[end:]
		}
		m[k] = v
	}
	return m
}

// auditValue decodes an unquoted hex-encoded value (auditd writes strings
// with spaces or special bytes that way); quoted or other values stay.
func auditValue(v string, quoted bool) string {
	if quoted || len(v)%2 != 0 || v == "" || v == "(null)" {
		return v
	}
	b, err := hex.DecodeString(v)
	if err != nil {
		return v
	}
	return string(b)
}

// rawValue returns a field's value and whether it was quoted in the line.
func rawValue(line, key string) (string, bool, bool) {
	i := strings.Index(line, " "+key+"=")
	if i < 0 {
		return "", false, false
	}
	rest := line[i+len(key)+2:]
	if strings.HasPrefix(rest, `"`) {
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return rest[1:], true, true
		}
		return rest[1 : end+1], true, true
	}
	if end := strings.IndexAny(rest, " \x1d"); end >= 0 {
		rest = rest[:end]
	}
	return rest, false, true
}

// auditd converts a raw audit.log: records grouped into events by their
// serial number, an event complete at its EOE record, when a record of
// another id arrives for a single-record event, or at the end.
func (c *converter) auditd(src io.Reader) error {
	sc := bufio.NewScanner(src)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var order []string
	open := map[string]*auditEvent{}
	flush := func(id string) {
		ev := open[id]
		delete(open, id)
		order = slices.DeleteFunc(order, func(s string) bool { return s == id })
		c.st.Records++
		c.mapAudit(ev)
	}
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		m := auditHeader.FindStringSubmatch(line)
		if m == nil {
			c.problem(n, 0, errors.New("not an audit record (want type=... msg=audit(time:serial): ...)"))
			continue
		}
		id := m[3] + "." + m[4] + ":" + m[5]
		ev := open[id]
		if ev == nil {
			// Events whose records are all in are done once another begins.
			for _, o := range slices.Clone(order) {
				if e := open[o]; e != nil && (e.syscall == nil || len(order) > 64) {
					flush(o)
				}
			}
			sec, _ := strconv.ParseInt(m[3], 10, 64)
			frac, _ := strconv.ParseInt((m[4] + "000")[:3], 10, 64)
			ev = &auditEvent{id: id, ms: sec*1000 + frac, node: m[1], line: n}
			open[id] = ev
			order = append(order, id)
		}
		typ := m[2]
		body := line[len(m[0]):]
		ev.raw = append(ev.raw, line)
		ev.types = append(ev.types, typ)
		if err := ev.add(typ, " "+body); err != nil {
			c.problem(n, 0, err)
		}
		if typ == "EOE" {
			flush(id)
		}
		if c.werr != nil {
			return c.werr
		}
	}
	for len(order) > 0 {
		flush(order[0])
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("after line %d: %w", n, err)
	}
	return nil
}

// add folds one raw record into the event.
func (ev *auditEvent) add(typ, body string) error {
	f := auditFields(body)
	switch typ {
	case "SYSCALL":
		ev.syscall = f
	case "EXECVE":
		argc, _ := strconv.Atoi(f["argc"])
		if argc < 0 || argc > 1<<16 {
			return fmt.Errorf("EXECVE argc %d out of range", argc)
		}
		for i := range argc {
			k := "a" + strconv.Itoa(i)
			if v, quoted, ok := rawValue(body, k); ok {
				ev.argv = append(ev.argv, auditValue(v, quoted))
				continue
			}
			// Long arguments come in pieces: aN_len=.. aN[0]=.. aN[1]=..
			var sb strings.Builder
			for j := 0; ; j++ {
				v, quoted, ok := rawValue(body, k+"["+strconv.Itoa(j)+"]")
				if !ok {
					break
				}
				sb.WriteString(auditValue(v, quoted))
			}
			ev.argv = append(ev.argv, sb.String())
		}
	case "CWD":
		v, quoted, _ := rawValue(body, "cwd")
		ev.cwd = auditValue(v, quoted)
	case "PATH":
		v, quoted, _ := rawValue(body, "name")
		f["name"] = auditValue(v, quoted)
		ev.paths = append(ev.paths, f)
	case "PROCTITLE":
		v, quoted, _ := rawValue(body, "proctitle")
		t := auditValue(v, quoted)
		ev.title = strings.Split(strings.TrimRight(t, "\x00"), "\x00")
	case "SOCKADDR":
		sa, err := parseSaddr(f["saddr"])
		if err != nil {
			return err
		}
		ev.sock = sa
	case "EOE":
	default:
		if ev.other == nil {
			ev.other = f
		}
	}
	return nil
}

// parseSaddr decodes SOCKADDR's hex sockaddr: family (little-endian),
// port (big-endian) and address.
func parseSaddr(h string) (*sockAddr, error) {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) < 2 {
		return nil, fmt.Errorf("SOCKADDR saddr %q is not a hex sockaddr", h)
	}
	switch binary.LittleEndian.Uint16(b) {
	case 2:
		if len(b) < 8 {
			return nil, errors.New("SOCKADDR inet address cut short")
		}
		return &sockAddr{family: "inet", port: strconv.Itoa(int(binary.BigEndian.Uint16(b[2:]))), addr: netip.AddrFrom4([4]byte(b[4:8])).String()}, nil
	case 10:
		if len(b) < 24 {
			return nil, errors.New("SOCKADDR inet6 address cut short")
		}
		a := netip.AddrFrom16([16]byte(b[8:24]))
		fam := "inet6"
		if a.Is4In6() {
			// A dual-stack socket reaching an IPv4 peer: an IPv4 connection.
			fam = "inet"
		}
		return &sockAddr{family: fam, port: strconv.Itoa(int(binary.BigEndian.Uint16(b[2:]))), addr: a.Unmap().String()}, nil
	case 1:
		return &sockAddr{family: "local", addr: strings.TrimRight(string(b[2:]), "\x00")}, nil
	}
	return &sockAddr{family: "other"}, nil
}

// Syscall numbers by audit arch (x86_64, aarch64) for the calls mapped.
var syscallNames = map[string]map[string]string{
	"c000003e": {"59": "execve", "322": "execveat", "42": "connect", "2": "open", "257": "openat", "85": "creat", "41": "socket", "44": "sendto"},
	"c00000b7": {"221": "execve", "281": "execveat", "203": "connect", "56": "openat", "198": "socket", "206": "sendto"},
}

func (ev *auditEvent) syscallName() string {
	s := ev.syscall
	if s == nil {
		return ""
	}
	if v := s["SYSCALL"]; v != "" {
		return v
	}
	name := s["syscall"]
	if t, ok := syscallNames[strings.TrimPrefix(s["arch"], "0x")][name]; ok {
		return t
	}
	return name
}

// mapAudit maps one audit event: execve → ProcessRollup2, connect →
// NetworkConnectIP4/IP6, a created file → GenericFileWritten; anything
// else keeps its records as an "AuditEvent".
func (c *converter) mapAudit(ev *auditEvent) {
	o := &Out{}
	s := ev.syscall
	get := func(k string) string {
		if s == nil {
			return ev.other[k]
		}
		return s[k]
	}
	exe := get("exe")
	switch name := ev.syscallName(); {
	case name == "execve" || name == "execveat" || len(ev.argv) > 0:
		argv := ev.argv
		if len(argv) == 0 {
			argv = ev.title
		}
		o.Set("event_simpleName", "ProcessRollup2")
		o.setTime(ev.ms, false)
		o.Set("ImageFileName", exe)
		o.Set("FileName", baseName(exe))
		o.Set("FilePath", dirName(exe))
		o.Set("CommandLine", strings.Join(argv, " "))
		o.Set("RawProcessId", get("pid"))
		o.Set("TargetProcessId", get("pid"))
		o.Set("ParentProcessId", get("ppid"))
		if parent := c.auditProcs()[get("ppid")]; parent != "" {
			o.Set("ParentBaseFileName", baseName(parent))
		} else if ev.parent != "" {
			o.Set("ParentBaseFileName", baseName(ev.parent))
		}
		c.auditProcs()[get("pid")] = exe
		o.Set("ProcessStartTime", secs(ev.ms))
		o.Set(FieldUnmapped, "aid,SHA256HashData,ParentBaseFileName when the parent's execve is not in the log")
	case (name == "connect" || name == "sendto") && ev.sock != nil && (ev.sock.family == "inet" || ev.sock.family == "inet6"):
		fam := "IP4"
		if ev.sock.family == "inet6" {
			fam = "IP6"
		}
		o.Set("event_simpleName", "NetworkConnect"+fam)
		o.setTime(ev.ms, true)
		o.Set("RemoteAddress"+fam, ev.sock.addr)
		o.Set("RemotePort", ev.sock.port)
		o.Set("ConnectionDirection", "0")
		o.Set("ContextProcessId", get("pid"))
		o.Set("ContextProcessName", baseName(exe))
		o.Set("ContextBaseFileName", baseName(exe))
		o.Set("ContextImageFileName", exe)
		o.Set(FieldUnmapped, "aid,LocalAddress"+fam+",LocalPort,Protocol (the connect call names the peer only)")
	case createdPath(ev) != "":
		target := createdPath(ev)
		o.Set("event_simpleName", "GenericFileWritten")
		o.setTime(ev.ms, true)
		o.Set("TargetFileName", target)
		o.Set("FileName", baseName(target))
		o.Set("FilePath", dirName(target))
		o.Set("ContextProcessId", get("pid"))
		o.Set("ContextProcessName", baseName(exe))
		o.Set("ContextBaseFileName", baseName(exe))
		o.Set(FieldUnmapped, "aid,Size")
	default:
		o.Set("event_simpleName", "AuditEvent")
		o.setTime(ev.ms, true)
		o.Set(FieldUnmapped, "no Falcon event type for audit "+strings.Join(ev.types, "+"))
	}
	o.Set(FieldSensor, Auditd)
	o.Set("id", "auditd:"+ev.node+":"+ev.id)
	o.Set("event_platform", "Lin")
	o.Set("ComputerName", ev.node)
	o.Set("UID", get("uid"))
	o.Set("AUID", get("auid"))
	user := get("AUID")
	if user == "" || user == "unset" {
		user = get("UID")
	}
	o.Set("UserName", user)
	o.Set("auditd.id", ev.id)
	o.Set("auditd.types", strings.Join(ev.types, ","))
	o.Set("auditd.syscall", ev.syscallName())
	o.Set("auditd.success", get("success"))
	o.Set("auditd.exit", get("exit"))
	o.Set("auditd.comm", get("comm"))
	o.Set("auditd.key", get("key"))
	o.Set("auditd.cwd", ev.cwd)
	if ev.sock != nil {
		o.Set("auditd.sockaddr.family", ev.sock.family)
	}
	o.Set(FieldRecord, strings.Join(ev.raw, "\n"))
	if ev.line > 0 {
		o.Set(FieldPosition, "line "+strconv.Itoa(ev.line))
	}
	c.emit(o)
}

func (c *converter) auditProcs() map[string]string {
	if c.procs == nil {
		c.procs = map[string]string{}
	}
	return c.procs
}

// createdPath is the file a syscall created (PATH nametype=CREATE),
// made absolute with CWD.
func createdPath(ev *auditEvent) string {
	for _, p := range ev.paths {
		if p["nametype"] == "CREATE" && p["name"] != "" {
			name := p["name"]
			if !strings.HasPrefix(name, "/") && ev.cwd != "" {
				name = strings.TrimSuffix(ev.cwd, "/") + "/" + name
			}
			return name
		}
	}
	return ""
}

// laurelLine converts one Laurel JSON event (records as objects keyed by
// type; EXECVE and PROCTITLE arguments already decoded into ARGV).
func (c *converter) laurelLine(line []byte, n int) error {
	obj, err := decodeObject(line)
	if err != nil {
		return err
	}
	ev := &auditEvent{id: str(obj["ID"]), line: n, node: str(obj["NODE"])}
	if t, _, ok := strings.Cut(ev.id, ":"); ok {
		if ms, ok := parseTimeMillis(t); ok {
			ev.ms = ms
		}
	}
	ev.raw = []string{string(line)}
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		switch k {
		case "ID", "NODE":
			continue
		}
		ev.types = append(ev.types, k)
		switch k {
		case "SYSCALL":
			m, _ := v.(map[string]any)
			ev.syscall = map[string]string{}
			for kk, vv := range m {
				ev.syscall[kk] = str(vv)
			}
			if pp, ok := m["PPID"].(map[string]any); ok {
				ev.parent = str(pp["exe"])
				if ev.parent == "" {
					ev.parent = str(pp["comm"])
				}
			}
		case "EXECVE":
			if m, ok := v.(map[string]any); ok {
				ev.argv = strList(m["ARGV"])
			}
		case "PROCTITLE":
			if m, ok := v.(map[string]any); ok {
				ev.title = strList(m["ARGV"])
				if len(ev.title) == 0 {
					ev.title = strings.Split(str(m["proctitle"]), "\x00")
				}
			}
		case "CWD":
			if m, ok := v.(map[string]any); ok {
				ev.cwd = str(m["cwd"])
			}
		case "PATH":
			list, _ := v.([]any)
			for _, p := range list {
				if m, ok := p.(map[string]any); ok {
					pm := map[string]string{}
					for kk, vv := range m {
						pm[kk] = str(vv)
					}
					ev.paths = append(ev.paths, pm)
				}
			}
		case "SOCKADDR":
			ev.sock = laurelSockaddr(v)
		}
	}
	if ev.syscall == nil && len(ev.argv) == 0 {
		return errors.New("Laurel event without SYSCALL or EXECVE")
	}
	c.mapAudit(ev)
	return nil
}

// laurelSockaddr reads Laurel's SOCKADDR: a list (or one object) holding
// SADDR (translated: saddr_fam, addr, port) or saddr (a hex sockaddr).
func laurelSockaddr(v any) *sockAddr {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	for _, it := range items {
		m, _ := it.(map[string]any)
		for _, key := range []string{"SADDR", "saddr"} {
			switch sa := m[key].(type) {
			case map[string]any:
				fam := str(sa["saddr_fam"])
				if fam == "" {
					fam = str(sa["family"])
				}
				out := &sockAddr{family: fam, addr: str(sa["addr"]), port: str(sa["port"])}
				if out.addr == "" {
					out.addr = str(sa["path"])
				}
				if a, err := netip.ParseAddr(out.addr); err == nil && a.Is4In6() {
					out.family, out.addr = "inet", a.Unmap().String()
				}
				return out
			case string:
				if out, err := parseSaddr(sa); err == nil {
					return out
				}
			}
		}
	}
	return nil
}

func strList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		out = append(out, str(x))
	}
	return out
}

// quoteAudit renders an argument the way auditd does: quoted when plain
// printable ASCII without '"' or spaces, else upper-case hex.
func quoteAudit(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f || c == '"' {
			return strings.ToUpper(hex.EncodeToString([]byte(s)))
		}
	}
	return `"` + s + `"`
}
