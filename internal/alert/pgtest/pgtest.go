// Package pgtest starts a throwaway PostgreSQL server for tests: the real
// server from the Debian packages (postgresql), in a temporary directory,
// on a free port of 127.0.0.1, stopped when the test ends.
package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// binDir finds the PostgreSQL server programs (initdb, pg_ctl).
func binDir() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1])
	}
	return ""
}

// Start runs a server and returns its DSN; the test skips, saying why,
// when PostgreSQL is not installed.
func Start(t *testing.T) string {
	t.Helper()
	bin := binDir()
	if bin == "" {
		t.Skip("PostgreSQL server not installed (Debian package postgresql; .ci/run installs it)")
	}
	dir, err := os.MkdirTemp("", "tiercel-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	data := filepath.Join(dir, "data")
	attr := serverUser(t, dir)
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.SysProcAttr = attr
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
	}
	run("initdb", "-D", data, "-U", "tiercel", "--auth=trust", "-E", "UTF8", "--no-sync")
	port := freePort(t)
	run("pg_ctl", "-D", data, "-w", "-t", "60", "-l", filepath.Join(dir, "log"), "start",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", port, dir))
	t.Cleanup(func() {
		cmd := exec.Command(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop")
		cmd.SysProcAttr = attr
		_ = cmd.Run()
	})
	return fmt.Sprintf("postgres://tiercel@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=10", port)
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// Give the port back a moment before the server binds it.
	defer time.Sleep(10 * time.Millisecond)
	return l.Addr().(*net.TCPAddr).Port
}
