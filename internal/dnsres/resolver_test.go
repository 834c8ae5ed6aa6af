package dnsres

import (
	"net"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/dnsres/dnstest"
)

func TestLookupThroughServer(t *testing.T) {
	addr, count := dnstest.PTRServer(t, map[string]string{
		"8.8.8.8.in-addr.arpa": "dns.google.",
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa": "v6.example.",
	})
	r := New(Options{Server: addr, Timeout: time.Second, Rate: 1000})
	tests := []struct {
		ip, want string
		ok       bool
	}{
		{"8.8.8.8", "dns.google", true},
		{"2001:db8::1", "v6.example", true},
		{"192.0.2.1", "", false},
		{"not an ip", "", false},
	}
	for _, tc := range tests {
		got, ok := r.Lookup(tc.ip)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Lookup(%s) = %q, %v; want %q, %v", tc.ip, got, ok, tc.want, tc.ok)
		}
	}
	before := count.Load()
	for range 5 {
		r.Lookup("8.8.8.8")
		r.Lookup("192.0.2.1")
	}
	if count.Load() != before {
		t.Errorf("cached lookups went to the server: %d more queries", count.Load()-before)
	}
}

func TestTimeoutAndRate(t *testing.T) {
	// A server that never answers: the lookup gives up after the timeout.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback UDP: %v", err)
	}
	defer pc.Close()
	r := New(Options{Server: pc.LocalAddr().String(), Timeout: 150 * time.Millisecond, Rate: 10})
	start := time.Now()
	if _, ok := r.Lookup("8.8.4.4"); ok {
		t.Fatal("lookup against a silent server succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("lookup took %v, want about the 150ms timeout", d)
	}
	// Rate 10/s: three fresh lookups through a shared limiter take >= 200ms.
	addr, _ := dnstest.PTRServer(t, map[string]string{})
	r2 := New(Options{Server: addr, Timeout: time.Second, Rate: 10})
	start = time.Now()
	for _, ip := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"} {
		r2.Lookup(ip)
	}
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Errorf("3 lookups at 10/s took %v, want at least 200ms", d)
	}
}
