package sensor

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// splitArgs splits a command line into argv the way a POSIX shell would
// for simple quoting ('...', "...", backslash).
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	in := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			in = true
		case c == ' ' || c == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// auditd writes the records auditd (log_format=ENRICHED, name_format=
// hostname, the usual execve/connect/creat rules) would log for an event.
func (e *Emitter) auditd(ev string, f func(string) string, ms int64, aid string, ctx *emuProc) error {
	host := f("ComputerName")
	e.serial++
	hdr := func(typ string) string {
		return fmt.Sprintf("node=%s type=%s msg=audit(%d.%03d:%d): ", host, typ, ms/1000, ms%1000, e.serial)
	}
	user := ctx.user
	uid := "1000"
	if user == "root" || user == "" {
		user, uid = "root", "0"
	}
	sys := func(nr int, p *emuProc, ppid string, items int, a [4]string, user, uid string) string {
		exe := p.image
		return hdr("SYSCALL") + fmt.Sprintf("arch=c000003e syscall=%d success=yes exit=0 a0=%s a1=%s a2=%s a3=%s items=%d ppid=%s pid=%s auid=%s uid=%s gid=%s euid=%s suid=%s fsuid=%s egid=%s sgid=%s fsgid=%s tty=pts0 ses=2 comm=%s exe=%s subj=unconfined key=%s",
			nr, a[0], a[1], a[2], a[3], items, orZero(ppid), orZero(p.pid), uid, uid, uid, uid, uid, uid, uid, uid, uid, quoteAudit(truncComm(baseName(exe))), quoteAudit(exe), quoteAudit(syscallKey(nr))) +
			"\x1dARCH=x86_64 SYSCALL=" + map[int]string{59: "execve", 42: "connect", 257: "openat", 41: "socket"}[nr] +
			` AUID="` + user + `" UID="` + user + `" GID="` + user + `" EUID="` + user + `" SUID="` + user + `" FSUID="` + user + `" EGID="` + user + `" SGID="` + user + `" FSGID="` + user + `"`
	}
	title := func(p *emuProc) string {
		argv := splitArgs(p.cmd)
		return hdr("PROCTITLE") + "proctitle=" + strings.ToUpper(hex.EncodeToString([]byte(strings.Join(argv, "\x00"))))
	}
	var lines []string
	switch ev {
	case "ProcessRollup2":
		p := e.procs[aid+"/"+f("TargetProcessId")]
		if p == nil {
			return nil
		}
		if p.user == "" || p.user == "root" {
			user, uid = "root", "0"
		} else {
			user, uid = p.user, "1000"
		}
		ppid := ""
		if parent := e.procs[p.parent]; parent != nil {
			ppid = parent.pid
		}
		argv := splitArgs(p.cmd)
		if len(argv) == 0 {
			argv = []string{p.image}
		}
		execve := hdr("EXECVE") + "argc=" + strconv.Itoa(len(argv))
		for i, a := range argv {
			execve += " a" + strconv.Itoa(i) + "=" + quoteAudit(a)
		}
		lines = append(lines, sys(59, p, ppid, 2, [4]string{"55d0c8e1a2b0", "55d0c8e1a310", "55d0c8e1a348", "0"}, user, uid), execve,
			hdr("CWD")+`cwd="/home/`+p.user+`"`,
			hdr("PATH")+"item=0 name="+quoteAudit(p.image)+" inode=1835082 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0",
			hdr("PATH")+`item=1 name="/lib64/ld-linux-x86-64.so.2" inode=1835215 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
			title(p))
	case "DnsRequest":
		// auditd sees the resolver socket, never the name asked for.
		lines = append(lines, sys(42, ctx, "", 0, [4]string{"3", "7ffd4b2c1e80", "10", "0"}, user, uid),
			hdr("SOCKADDR")+"saddr="+inetSaddr("127.0.0.53", 53), title(ctx))
	case "NetworkConnectIP4":
		if f("Protocol") == "1" {
			// ICMP: nmap opens a raw socket (AF_INET, SOCK_RAW, IPPROTO_ICMP).
			lines = append(lines, sys(41, ctx, "", 0, [4]string{"2", "3", "1", "0"}, user, uid), title(ctx))
			break
		}
		port, _ := strconv.Atoi(f("RemotePort"))
		lines = append(lines, sys(42, ctx, "", 0, [4]string{"3", "7ffd4b2c1e80", "10", "0"}, user, uid),
			hdr("SOCKADDR")+"saddr="+inetSaddr(f("RemoteAddressIP4"), port), title(ctx))
	case "GenericFileWritten":
		target := f("TargetFileName")
		lines = append(lines, sys(257, ctx, "", 2, [4]string{"ffffff9c", "7ffd4b2c3f10", "241", "1b6"}, user, uid),
			hdr("CWD")+`cwd="/home/`+ctx.user+`"`,
			hdr("PATH")+"item=0 name="+quoteAudit(dirName(target))+" inode=786433 dev=08:01 mode=041777 ouid=0 ogid=0 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0",
			hdr("PATH")+"item=1 name="+quoteAudit(target)+" inode=786551 dev=08:01 mode=0100644 ouid="+uid+" ogid="+uid+" rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0",
			title(ctx))
	default:
		e.serial--
		return nil
	}
	lines = append(lines, hdr("EOE"))
	e.n++
	_, err := e.out.WriteString(strings.Join(lines, "\n") + "\n")
	return err
}

func orZero(s string) string {
	if s == "" {
		return "1"
	}
	return s
}

// truncComm cuts a name to the kernel's 15-byte comm.
func truncComm(s string) string {
	if len(s) > 15 {
		return s[:15]
	}
	return s
}

func syscallKey(nr int) string {
	switch nr {
	case 59:
		return "exec"
	case 42, 41:
		return "network"
	}
	return "file_create"
}

func inetSaddr(ip string, port int) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is4() {
		a = netip.IPv4Unspecified()
	}
	b := a.As4()
	return fmt.Sprintf("0200%04X%02X%02X%02X%02X0000000000000000", port, b[0], b[1], b[2], b[3])
}
