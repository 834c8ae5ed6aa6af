package cli

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A real Squid on 127.0.0.1 proxies requests to IP-intelligence hosts (the
// seed's tests 2 and 5) and to ordinary ones; hunt over its access.log
// alerts on exactly the two attack requests.
func TestHuntRealSquidLog(t *testing.T) {
	squid, err := exec.LookPath("squid")
	if err != nil {
		t.Skip("squid not installed (apt-get install squid)")
	}
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }))
	defer web.Close()
	webPort := web.URL[strings.LastIndexByte(web.URL, ':')+1:]
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755) // squid drops to its own user
	os.Chmod(dir, 0o777)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	hosts := "127.0.0.1 whois.arin.net bgp.he.net intranet.corp.example www.example.org\n"
	writeTemp(t, dir, "hosts", hosts)
	conf := writeTemp(t, dir, "squid.conf", fmt.Sprintf(`http_port 127.0.0.1:%d
pid_filename %[2]s/squid.pid
hosts_file %[2]s/hosts
access_log stdio:%[2]s/access.log squid
cache_log %[2]s/cache.log
cache deny all
cache_mem 8 MB
http_access allow localhost
http_access deny all
coredump_dir %[2]s
shutdown_lifetime 0 seconds
`, port, dir))
	cmd := exec.Command(squid, "-f", conf, "-N")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	defer stop()
	proxy, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", port))
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}, Timeout: 5 * time.Second}
	get := func(u string) error {
		resp, err := client.Get(u)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("%s: status %d", u, resp.StatusCode)
		}
		return nil
	}
	first := "http://intranet.corp.example:" + webPort + "/index.html"
	for deadline := time.Now().Add(15 * time.Second); ; {
		if err = get(first); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("squid: %v\n%s", err, logs.String())
	}
	for _, u := range []string{"/rest/ip/198.51.100.17", "/AS64500"} {
		host := map[bool]string{true: "whois.arin.net", false: "bgp.he.net"}[strings.HasPrefix(u, "/rest")]
		if err := get("http://" + host + ":" + webPort + u); err != nil {
			t.Fatal(err)
		}
	}
	if err := get("http://www.example.org:" + webPort + "/"); err != nil {
		t.Fatal(err)
	}
	stop()
	access := filepath.Join(dir, "access.log")
	code, out, stderr := runTiercel(t, "", "hunt", "--format", "json", access)
	if code != ExitOK {
		t.Fatalf("hunt: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(out, `"DomainName":"whois.arin.net"`) || !strings.Contains(out, `"DomainName":"bgp.he.net"`) ||
		strings.Count(out, `"DetectionBranch":"IPIntelDNSLookup"`) != 2 {
		data, _ := os.ReadFile(access)
		t.Fatalf("alerts:\n%s\naccess.log:\n%s", out, data)
	}
}
