package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tiercel/tiercel/internal/sensor"
)

const auditLog = `type=SYSCALL msg=audit(1772443965.447:3278): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=9 auid=1000 uid=1000 comm="nmap" exe="/usr/bin/nmap"
type=EXECVE msg=audit(1772443965.447:3278): argc=2 a0="nmap" a1="-sn"
type=EOE msg=audit(1772443965.447:3278):
type=BROKEN
`

// Sensor logs are found by content in plain, gzip and zstd files, in
// directories and on stdin, and come out as Falcon-model NDJSON; their
// damaged records go to OnSensorSkip with their position; Falcon NDJSON beside
// them is read as before.
func TestReaderSensorLogs(t *testing.T) {
	evtx, err := os.ReadFile("../../../shared/samples/evtx/sb-LM_impacket_docmexec_mmc_sysmon_01.evtx")
	if err != nil {
		t.Skipf("EVTX sample missing: %v", err)
	}
	dir := writeTree(t, map[string][]byte{
		"a/sysmon.bin":   evtx,
		"b/sysmon.gz":    gzipBytes(t, evtx),
		"c/audit.zst":    zstdBytes(t, []byte(auditLog)),
		"d/falcon.json":  []byte(`{"event_simpleName":"DnsRequest","DomainName":"x"}` + "\n"),
		"e/squid.access": []byte("1772443965.447    120 10.0.0.5 TCP_TUNNEL/200 5321 CONNECT api.shodan.io:443 alice HIER_DIRECT/104.18.12.238 -\n"),
	})
	var mu sync.Mutex
	var skips []string
	r, err := Open([]string{dir, Stdin}, Options{
		Stdin:        strings.NewReader(auditLog),
		OnSensorSkip: func(p sensor.Problem) { mu.Lock(); skips = append(skips, p.Error()); mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := readAll(t, r)
	count := map[string]int{}
	for _, l := range lines {
		src := strings.SplitN(l, ":", 2)[0]
		count[filepath.Base(src)]++
		if !strings.Contains(l, `"event_simpleName"`) {
			t.Errorf("not a Falcon-model line: %.200s", l)
		}
	}
	want := map[string]int{"sysmon.bin": 9, "sysmon.gz": 9, "audit.zst": 1, "falcon.json": 1, "squid.access": 1, "-": 1}
	for k, v := range want {
		if count[k] != v {
			t.Errorf("%s: %d lines, want %d (all: %v)", k, count[k], v, count)
		}
	}
	if len(skips) != 2 || !strings.Contains(skips[0], ":4: not an audit record") {
		t.Errorf("skips = %q, want line 4 of the audit log and of stdin", skips)
	}
	if len(r.Errors()) > 0 {
		t.Errorf("file errors: %v", r.Errors())
	}
	var evtxLines bytes.Buffer
	for _, l := range lines {
		if strings.Contains(l, "sysmon.bin") {
			evtxLines.WriteString(l)
		}
	}
	if !strings.Contains(evtxLines.String(), `"#sensor":"sysmon"`) {
		t.Error("EVTX events lack the #sensor tag")
	}
}
