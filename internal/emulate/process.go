package emulate

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// hostState is a host plus what the generator tracks on it: the unique
// process id counter and the long-running processes background activity
// hangs off. Its size does not grow with the stream.
type hostState struct {
	*Host
	nextUPID   uint64
	configHash uint32
	started    bool // long-running processes emitted

	// Started at setup: Windows services.exe, svchost.exe, explorer.exe;
	// Linux systemd, sshd, cron and the user's login shell.
	services, svchost, explorer *proc
	systemd, sshd, cron, shell  *proc
	// Started on first use.
	browser, teams, agent, worker, scanner *proc

	watch *prefetchWatch // non-nil on hosts where BrowserPrefetch plays
}

// proc is one process instance. Only live scenarios and per-host
// long-running processes hold one, so memory stays bounded.
type proc struct {
	host      *hostState
	upid      uint64 // TargetProcessId
	pid       uint64 // RawProcessId
	parent    *proc
	image     string // ImageFileName
	cmd       string // CommandLine
	user      *Account
	start     int64 // ms
	integrity string
	gui       bool
	emitted   bool // its ProcessRollup2 is out (not cut off by the event limit)
	dns       int
	conns     int
	files     int
}

func (p *proc) base() string { return baseName(p.image) }

// winPath turns a C:\ path into the NT device path the sensor reports.
func (h *hostState) winPath(p string) string {
	rest := p
	if len(p) > 2 && p[1] == ':' {
		rest = p[2:]
	}
	return `\Device\HarddiskVolume` + strconv.Itoa(h.Volume) + rest
}

// spawn creates a process; the caller emits its ProcessRollup2.
func (g *Generator) spawn(h *hostState, parent *proc, image, cmd string, user *Account, t int64) *proc {
	h.nextUPID += 1 + g.rng.Uint64N(60000)
	p := &proc{host: h, upid: h.nextUPID, parent: parent, image: image, cmd: cmd, user: user, start: t}
	if h.Platform == Windows {
		p.pid = 4 * (250 + g.rng.Uint64N(9000))
		p.integrity = "8192"
		if user.Kind == "system" || user.Kind == "service" {
			p.integrity = "16384"
		}
	} else {
		p.pid = 1000 + g.rng.Uint64N(400000)
	}
	return p
}

// hashesOf returns SHA256 and MD5 hex digests that are stable per binary
// name and platform, so one program hashes the same on every host.
func (g *Generator) hashesOf(p *proc) (string, string) {
	key := string(p.host.Platform) + "|" + strings.ToLower(p.base())
	if hs, ok := g.hashes[key]; ok {
		return hs[0], hs[1]
	}
	s := sha256.Sum256([]byte("tiercel-emulate/" + key))
	m := sha256.Sum256([]byte("md5/" + key))
	hs := [2]string{hex.EncodeToString(s[:]), hex.EncodeToString(m[:16])}
	g.hashes[key] = hs
	return hs[0], hs[1]
}

// event names per platform, matching sensor versions seen in FDR samples.
type eventNames struct {
	pr2, dns, connect, file, end, logon, identity string
}

var namesByPlatform = map[Platform]eventNames{
	Windows: {"ProcessRollup2V19", "DnsRequestV4", "NetworkConnectIP4V5", "GenericFileWrittenV11", "EndOfProcessV15", "UserLogonV8", "UserIdentityV2"},
	Linux:   {"ProcessRollup2LinV6", "DnsRequestLinV1", "NetworkConnectIP4LinV5", "GenericFileWrittenLinV1", "TerminateProcessLinV2", "UserLogonLinV1", "UserIdentityLinV1"},
}

// begin starts a sensor event line with the per-event fields to follow.
func (g *Generator) begin() *record {
	g.rec.reset()
	return &g.rec
}

// envelope writes the common fields and returns the event id and the cloud
// `timestamp` in ms.
func (g *Generator) envelope(r *record, h *hostState, simple, name string, sensor int64) (uuid [36]byte, ts int64) {
	ts = sensor + 150 + g.rng.Int64N(2800)
	r.str("ConfigBuild", h.ConfigBuild)
	r.uint("ConfigStateHash", uint64(h.configHash))
	if h.Platform == Windows {
		r.str("EffectiveTransmissionClass", "3")
	} else {
		r.str("EffectiveTransmissionClass", "2")
	}
	r.str("Entitlements", "15")
	r.str("aid", h.AID)
	r.str("aip", h.AIP)
	r.str("cid", g.estate.CID)
	r.str("event_platform", string(h.Platform))
	r.str("event_simpleName", simple)
	uuid = g.uuid()
	r.key("id")
	r.b = append(r.b, '"')
	r.b = append(r.b, uuid[:]...)
	r.b = append(r.b, '"')
	r.str("name", name)
	r.int("timestamp", ts)
	return uuid, ts
}

// uuid returns a random version-4 UUID, as newer FDR data carries.
func (g *Generator) uuid() [36]byte {
	var u [36]byte
	a, b := g.rng.Uint64(), g.rng.Uint64()
	j := 0
	for i := 0; i < 32; i++ {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			u[j] = '-'
			j++
		}
		var nib uint64
		if i < 16 {
			nib = a >> (60 - 4*i) & 0xf
		} else {
			nib = b >> (60 - 4*(i-16)) & 0xf
		}
		switch i {
		case 12:
			nib = 4
		case 16:
			nib = 8 | nib&3
		}
		u[j] = hexDigits[nib]
		j++
	}
	return u
}

// logscaleHost adds what the Falcon platform shows on every event.
func (g *Generator) logscaleHost(r *record, h *hostState) {
	if g.opts.View == ViewLogScale {
		r.str("ComputerName", h.ComputerName)
	}
}

// pr2 emits the ProcessRollup2 of p.
func (g *Generator) pr2(p *proc) {
	if g.full() {
		return
	}
	h := p.host
	r := g.begin()
	sha, md5 := g.hashesOf(p)
	r.str("CommandLine", p.cmd)
	r.str("ImageFileName", p.image)
	r.str("MD5HashData", md5)
	var parentUPID uint64
	parentBase := ""
	if p.parent != nil {
		parentUPID = p.parent.upid
		parentBase = p.parent.base()
	}
	r.str("ParentBaseFileName", parentBase)
	r.uint("ParentProcessId", parentUPID)
	r.str("ProcessEndTime", "")
	r.secs("ProcessStartTime", p.start)
	r.uint("RawProcessId", p.pid)
	r.str("SHA1HashData", "0000000000000000000000000000000000000000")
	r.str("SHA256HashData", sha)
	r.uint("SourceProcessId", parentUPID)
	r.uint("TargetProcessId", p.upid)
	if h.Platform == Windows {
		r.uint("AuthenticationId", p.user.AuthID)
		if p.parent != nil {
			r.uint("ParentAuthenticationId", p.parent.user.AuthID)
		} else {
			r.str("ParentAuthenticationId", "999")
		}
		if p.gui {
			r.str("ImageSubsystem", "2")
		} else {
			r.str("ImageSubsystem", "3")
		}
		r.str("IntegrityLevel", p.integrity)
		r.str("ProcessCreateFlags", "1024")
		r.str("ProcessParameterFlags", "24577")
		r.str("ProcessSxsFlags", "64")
		if p.user.Kind == "user" {
			r.str("SessionId", "1")
			r.str("TokenType", "1")
		} else {
			r.str("SessionId", "0")
			r.str("TokenType", "1")
		}
		r.uint("SourceThreadId", 1e10+g.rng.Uint64N(9e13))
		r.str("Tags", "27, 151, 874, 12094627905582, 12094627906234")
		r.str("UserSid", p.user.SID)
		r.str("WindowFlags", "128")
	} else {
		uid := uint64(p.user.UID)
		r.uint("GID", uid)
		r.uint("RGID", uid)
		r.uint("RUID", uid)
		r.uint("SVGID", uid)
		r.uint("SVUID", uid)
		r.uint("UID", uid)
		r.uint("ProcessGroupId", p.pid)
		sess := parentUPID
		if h.shell != nil {
			sess = h.shell.upid
		}
		r.uint("SessionProcessId", sess)
		r.str("SourceThreadId", "0")
	}
	id, ts := g.envelope(r, h, "ProcessRollup2", namesByPlatform[h.Platform].pr2, p.start)
	if g.opts.View == ViewLogScale {
		// The platform splits the image into directory (with its trailing
		// separator) and file name.
		base := p.base()
		r.str("ComputerName", h.ComputerName)
		r.str("FileName", base)
		r.str("FilePath", p.image[:len(p.image)-len(base)])
		r.str("UserName", p.user.Name)
	}
	g.emit(r.finish())
	p.emitted = true
	if h.watch != nil {
		g.noteStart(h, p.image, ts)
	}
	if g.track != nil {
		f := seedFields{Event: "ProcessRollup2", ImageFileName: p.image, CommandLine: p.cmd}
		g.signal(f, id, h, "TargetProcessId", p.upid, ts, p.cmd)
	}
}

// contextHead writes the fields every context event carries.
func (g *Generator) contextHead(r *record, p *proc, t int64) {
	r.uint("ContextProcessId", p.upid)
	if p.host.Platform == Linux {
		r.str("ContextThreadId", "0")
	}
	r.secs("ContextTimeStamp", t)
}

func (g *Generator) contextTail(r *record, p *proc) {
	if g.opts.View == ViewLogScale {
		r.str("ComputerName", p.host.ComputerName)
		r.str("ContextProcessName", p.base())
		r.str("UserName", p.user.Name)
	}
}

// dns emits a DnsRequest by p for domain; qtype is the DNS QTYPE number.
func (g *Generator) dns(p *proc, t int64, domain string, qtype int) {
	if g.full() {
		return
	}
	p.dns++
	h := p.host
	r := g.begin()
	g.contextHead(r, p, t)
	r.str("DomainName", domain)
	r.int("RequestType", int64(qtype))
	if h.Platform == Windows {
		r.uint("ContextThreadId", 1e10+g.rng.Uint64N(9e13))
		r.str("DnsRequestCount", "1")
		r.str("DualRequest", boolDigit(qtype == 28))
		r.str("InterfaceIndex", "0")
	}
	id, ts := g.envelope(r, h, "DnsRequest", namesByPlatform[h.Platform].dns, t)
	g.contextTail(r, p)
	g.emit(r.finish())
	if g.track != nil {
		g.signal(seedFields{Event: "DnsRequest", DomainName: domain}, id, h, "ContextProcessId", p.upid, ts, domain)
	}
}

// dnsConnect emits p resolving domain (an A query) at t and opening a TCP
// connection to its address and port at connectAt.
func (g *Generator) dnsConnect(p *proc, t, connectAt int64, domain string, port int) {
	g.dns(p, t, domain, 1)
	g.connect(p, connectAt, ipFor(domain), port, 6)
}

// connect emits a NetworkConnectIP4 from p. proto is the IANA number.
func (g *Generator) connect(p *proc, t int64, remote string, port int, proto int) {
	if g.full() {
		return
	}
	p.conns++
	h := p.host
	r := g.begin()
	g.contextHead(r, p, t)
	r.str("ConnectionDirection", "0")
	r.str("ConnectionFlags", "0")
	r.str("InContext", "0")
	r.str("LocalAddressIP4", h.LocalIP)
	local := 0
	if proto != 1 {
		local = 49152 + g.rng.IntN(16000)
	}
	r.int("LocalPort", int64(local))
	r.int("Protocol", int64(proto))
	r.str("RemoteAddressIP4", remote)
	r.int("RemotePort", int64(port))
	id, ts := g.envelope(r, h, "NetworkConnectIP4", namesByPlatform[h.Platform].connect, t)
	g.contextTail(r, p)
	g.emit(r.finish())
	if g.track != nil {
		f := seedFields{Event: "NetworkConnectIP4", RemotePort: strconv.Itoa(port), ContextProcessName: p.base()}
		g.signal(f, id, h, "ContextProcessId", p.upid, ts, remote+":"+strconv.Itoa(port)+"/"+strconv.Itoa(proto))
	}
}

// fileWritten emits a GenericFileWritten for a file p wrote. Windows paths
// are given as C:\ paths and reported as NT device paths.
func (g *Generator) fileWritten(p *proc, t int64, file string, size int) {
	if g.full() {
		return
	}
	p.files++
	h := p.host
	if h.Platform == Windows {
		file = h.winPath(file)
	}
	r := g.begin()
	g.contextHead(r, p, t)
	if h.Platform == Windows {
		r.uint("ContextThreadId", 1e10+g.rng.Uint64N(9e13))
		r.str("FileIdentifier", randHex(g.rng, 48))
		r.str("IrpFlags", "1028")
		r.str("MajorFunction", "18")
		r.str("MinorFunction", "0")
	}
	r.int("Size", int64(size))
	r.str("TargetFileName", file)
	id, ts := g.envelope(r, h, "GenericFileWritten", namesByPlatform[h.Platform].file, t)
	g.contextTail(r, p)
	g.emit(r.finish())
	if g.track != nil {
		g.signal(seedFields{Event: "GenericFileWritten"}, id, h, "ContextProcessId", p.upid, ts, file)
	}
}

// end emits EndOfProcess (Windows) or TerminateProcess (Linux) for p.
func (g *Generator) end(p *proc, t int64) {
	if g.full() {
		return
	}
	h := p.host
	r := g.begin()
	g.contextHead(r, p, t)
	r.uint("RawProcessId", p.pid)
	r.uint("TargetProcessId", p.upid)
	simple := "TerminateProcess"
	if h.Platform == Windows {
		simple = "EndOfProcess"
		sha, _ := g.hashesOf(p)
		r.uint("ContextThreadId", 1e10+g.rng.Uint64N(9e13))
		r.int("DnsRequestCount", int64(p.dns))
		r.str("ExitCode", "0")
		r.int("GenericFileWrittenCount", int64(p.files))
		if p.gui {
			r.str("ImageSubsystem", "2")
		} else {
			r.str("ImageSubsystem", "3")
		}
		r.int("NetworkConnectCount", int64(p.conns))
		var parent uint64
		if p.parent != nil {
			parent = p.parent.upid
		}
		r.uint("ParentProcessId", parent)
		r.secs("ProcessStartTime", p.start)
		r.str("SHA256HashData", sha)
		r.str("UserSid", p.user.SID)
	}
	id, ts := g.envelope(r, h, simple, namesByPlatform[h.Platform].end, t)
	g.contextTail(r, p)
	g.emit(r.finish())
	if g.track != nil {
		g.signal(seedFields{Event: simple}, id, h, "TargetProcessId", p.upid, ts, p.base())
	}
}

// logon emits the UserLogon and UserIdentity events that tie a Windows
// account's SID and logon session (AuthenticationId) to its name.
func (g *Generator) logon(h *hostState, a *Account, via *proc, t int64, logonType string) {
	for _, simple := range []string{"UserLogon", "UserIdentity"} {
		if g.full() {
			return
		}
		r := g.begin()
		r.uint("AuthenticationId", a.AuthID)
		r.str("AuthenticationPackage", "Kerberos")
		r.uint("ContextProcessId", via.upid)
		r.uint("ContextThreadId", 1e10+g.rng.Uint64N(9e13))
		r.secs("ContextTimeStamp", t)
		r.str("LogonDomain", a.Domain)
		r.str("LogonServer", "DC01")
		r.secs("LogonTime", t)
		r.str("LogonType", logonType)
		r.secs("PasswordLastSet", a.PasswordLastSet)
		r.str("UserIsAdmin", boolDigit(a.Admin))
		r.str("UserName", a.Name)
		r.str("UserPrincipal", a.Name+"@corp.example.com")
		r.str("UserSid", a.SID)
		name := namesByPlatform[h.Platform].logon
		if simple == "UserIdentity" {
			name = namesByPlatform[h.Platform].identity
		}
		g.envelope(r, h, simple, name, t)
		g.logscaleHost(r, h)
		g.emit(r.finish())
		t += 3
	}
}

// linuxLogon emits the UserLogon and UserIdentity records a Linux sensor
// reports when an account logs on (sshd, login, a service manager): they
// are what ties the UID on its processes to the account name, which raw
// Linux ProcessRollup2 lacks. Both views carry them, as for Windows logons,
// so the two views stay the same events with the same ids.
func (g *Generator) linuxLogon(h *hostState, a *Account, via *proc, t int64, logonType string) {
	for _, simple := range []string{"UserLogon", "UserIdentity"} {
		if g.full() {
			return
		}
		r := g.begin()
		r.uint("ContextProcessId", via.upid)
		r.str("ContextThreadId", "0")
		r.secs("ContextTimeStamp", t)
		r.uint("GID", uint64(a.UID))
		r.secs("LogonTime", t)
		r.str("LogonType", logonType)
		if simple == "UserLogon" && logonType == "10" {
			r.str("RemoteAddressIP4", "10.10.0.15")
		}
		r.uint("UID", uint64(a.UID))
		r.str("UserIsAdmin", boolDigit(a.Kind == "system"))
		r.str("UserName", a.Name)
		names := namesByPlatform[h.Platform]
		name := names.logon
		if simple == "UserIdentity" {
			name = names.identity
		}
		g.envelope(r, h, simple, name, t)
		g.logscaleHost(r, h)
		g.emit(r.finish())
		t += 2
	}
}

// signal records one event of a tracked scenario in the manifest.
func (g *Generator) signal(f seedFields, id [36]byte, h *hostState, key string, upid uint64, ts int64, detail string) {
	enriched := seedBranch(f)
	raw := f
	if g.opts.View == ViewRaw {
		raw.ContextProcessName = ""
	}
	*g.track = append(*g.track, Signal{
		Event: f.Event, ID: string(id[:]), AID: h.AID, Computer: h.ComputerName, ProcessKey: key,
		ProcessID: strconv.FormatUint(upid, 10), Timestamp: ts, Detail: detail,
		Expected: enriched != "", Branch: enriched, FiresAsIs: seedBranch(raw) != "", Note: g.note,
	})
	g.note = ""
}
