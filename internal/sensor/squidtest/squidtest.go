// Package squidtest runs a real Squid proxy (Debian package squid) on
// 127.0.0.1 for tests that read the access logs it writes.
package squidtest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Proxy is a running Squid.
type Proxy struct {
	Dir    string       // its directory: squid.conf, logs
	Client *http.Client // an HTTP client that goes through it
	cmd    *exec.Cmd
	out    bytes.Buffer
	done   bool
}

// Start runs Squid with the common settings plus conf, the caller's
// lines (access_log, hosts_file ...), given the proxy's directory. The
// test skips when squid is not installed; the proxy stops at cleanup.
func Start(t testing.TB, conf func(dir string) string) *Proxy {
	t.Helper()
	squid, err := exec.LookPath("squid")
	if err != nil {
		t.Skip("squid not installed (apt-get install squid)")
	}
	dir := t.TempDir()
	// Squid drops to its own user, which must reach and write the logs.
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o777)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	text := fmt.Sprintf(`http_port 127.0.0.1:%d
pid_filename %[2]s/squid.pid
cache_log %[2]s/cache.log
cache deny all
cache_mem 8 MB
http_access allow localhost
http_access deny all
coredump_dir %[2]s
shutdown_lifetime 0 seconds
`, port, dir) + conf(dir)
	path := filepath.Join(dir, "squid.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Dir: dir, cmd: exec.Command(squid, "-f", path, "-N")}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	proxy, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", port))
	p.Client = &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}, Timeout: 5 * time.Second}
	return p
}

// Get fetches u through the proxy and wants a 200.
func (p *Proxy) Get(u string, header http.Header) error {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := p.Client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: status %d", u, resp.StatusCode)
	}
	return nil
}

// GetWhenUp retries the first request while Squid starts (up to 15 s).
func (p *Proxy) GetWhenUp(u string) error {
	var err error
	for deadline := time.Now().Add(15 * time.Second); ; {
		if err = p.Get(u, nil); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("%v\n%s", err, p.out.String())
	}
	return nil
}

// Stop stops Squid (which flushes its logs); later calls do nothing.
func (p *Proxy) Stop() {
	if p.done {
		return
	}
	p.done = true
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

// Output is what Squid printed, for failure messages.
func (p *Proxy) Output() string { return p.out.String() }
