package sensor

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/sensor/squidtest"
)

// TestSquidAccessLog runs a real Squid on 127.0.0.1, sends requests through
// it and reads the access.log it writes.
func TestSquidAccessLog(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "ok %s", r.URL.Path)
	}))
	defer web.Close()
	proxy := squidtest.Start(t, func(dir string) string {
		return fmt.Sprintf("access_log stdio:%[1]s/access.log squid\naccess_log stdio:%[1]s/combined.log combined\n", dir)
	})
	if err := proxy.GetWhenUp(web.URL + "/rest/ip/198.51.100.17"); err != nil {
		t.Fatalf("request through squid: %v", err)
	}
	if err := proxy.Get(web.URL+"/AS64500", http.Header{"User-Agent": {"theHarvester"}}); err != nil {
		t.Fatal(err)
	}
	proxy.Stop()
	dir := proxy.Dir
	data, err := os.ReadFile(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatalf("no access.log: %v\n%s", err, proxy.Output())
	}
	if f := Detect(data); f != FormatSquid {
		t.Fatalf("Detect(access.log) = %q, want squid:\n%s", f, data)
	}
	evs, problems := convert(t, FormatSquid, string(data))
	if len(problems) > 0 || len(evs) != 2 {
		t.Fatalf("events %v problems %v from\n%s", evs, problems, data)
	}
	webPort := web.URL[strings.LastIndexByte(web.URL, ':')+1:]
	combined, err := os.ReadFile(filepath.Join(dir, "combined.log"))
	if err != nil {
		t.Fatal(err)
	}
	if f := Detect(combined); f != FormatSquidHTTPD {
		t.Fatalf("Detect(combined.log) = %q:\n%s", f, combined)
	}
	cevs, cprobs := convert(t, FormatSquidHTTPD, string(combined))
	if len(cprobs) > 0 || len(cevs) != 2 || cevs[1]["cs_user_agent"] != "theHarvester" || cevs[1]["cs_uri_stem"] != "/AS64500" ||
		cevs[0]["HttpStatus"] != "200" || cevs[0]["RemotePort"] != webPort || !strings.HasPrefix(cevs[0]["ProxyAction"], "TCP_MISS") {
		t.Errorf("combined log: %v %v\n%s", cevs, cprobs, combined)
	}
	for i, path := range []string{"/rest/ip/198.51.100.17", "/AS64500"} {
		e := evs[i]
		if e["event_simpleName"] != ProxyEvent || e["cs_host"] != "127.0.0.1" || e["RemotePort"] != webPort ||
			e["HttpPath"] != path || e["HttpStatus"] != "200" || e["HttpMethod"] != "GET" || e["#sensor"] != Proxy {
			t.Errorf("event %d: %v", i, e)
		}
	}
}

// TestLaurelAgreesWithRawAudit feeds raw audit records to a real Laurel and
// checks that its JSON maps onto the same events as the raw log.
func TestLaurelAgreesWithRawAudit(t *testing.T) {
	laurel, err := exec.LookPath("laurel")
	if err != nil {
		t.Skip("laurel not installed (apt-get install laurel)")
	}
	raw := `type=SYSCALL msg=audit(1772443965.447:3278): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=44857 pid=327509 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=2 comm="nmap" exe="/usr/bin/nmap" key="exec"
type=EXECVE msg=audit(1772443965.447:3278): argc=4 a0="nmap" a1="-sn" a2="192.168.56.0/24" a3=2F746D702F6120622E786D6C
type=CWD msg=audit(1772443965.447:3278): cwd="/home/quinn"
type=PATH msg=audit(1772443965.447:3278): item=0 name="/usr/bin/nmap" inode=1 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0
type=PROCTITLE msg=audit(1772443965.447:3278): proctitle=6E6D6170002D736E
type=EOE msg=audit(1772443965.447:3278):
type=SYSCALL msg=audit(1772443966.000:3279): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=7ffd a2=10 a3=0 items=0 ppid=1 pid=327509 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=2 comm="curl" exe="/usr/bin/curl" key="network"
type=SOCKADDR msg=audit(1772443966.000:3279): saddr=020001BBC7051A2E0000000000000000
type=PROCTITLE msg=audit(1772443966.000:3279): proctitle=6375726C
type=EOE msg=audit(1772443966.000:3279):
`
	dir := t.TempDir()
	conf := fmt.Sprintf("directory = %q\nuser = \"\"\n[auditlog]\nfile = \"audit.log\"\n[transform]\nexecve-argv = [ \"array\" ]\n[translate]\nuniversal = true\n", dir)
	if os.Geteuid() == 0 {
		conf = strings.Replace(conf, `user = ""`, `user = "root"`, 1)
	} else {
		conf = strings.Replace(conf, "user = \"\"\n", "", 1)
	}
	confPath := filepath.Join(dir, "laurel.toml")
	os.WriteFile(confPath, []byte(conf), 0o644)
	cmd := exec.Command(laurel, "-c", confPath)
	cmd.Stdin = strings.NewReader(raw)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("laurel: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	if f := Detect(data); f != FormatLaurel {
		t.Fatalf("Detect(laurel output) = %q:\n%s", f, data)
	}
	fromLaurel, p1 := convert(t, FormatLaurel, string(data))
	fromRaw, p2 := convert(t, FormatAuditd, raw)
	if len(p1)+len(p2) > 0 || len(fromLaurel) != 2 || len(fromRaw) != 2 {
		t.Fatalf("laurel %v (%v), raw %v (%v)", fromLaurel, p1, fromRaw, p2)
	}
	for i := range fromRaw {
		for _, k := range []string{"event_simpleName", "timestamp", "ImageFileName", "CommandLine", "RemoteAddressIP4", "RemotePort", "ContextProcessName", "RawProcessId", "auditd.syscall"} {
			if fromLaurel[i][k] != fromRaw[i][k] {
				t.Errorf("event %d %s: laurel %q, raw %q", i, k, fromLaurel[i][k], fromRaw[i][k])
			}
		}
	}
}
