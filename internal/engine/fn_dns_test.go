package engine

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/dnsres"
	"github.com/tiercel/tiercel/internal/dnsres/dnstest"
	"github.com/tiercel/tiercel/internal/event"
)

func TestReverseDNS(t *testing.T) {
	addr, _ := dnstest.PTRServer(t, map[string]string{
		"8.8.8.8.in-addr.arpa": "dns.google.",
		"1.1.1.1.in-addr.arpa": "one.one.one.one.",
	})
	opts := Options{Data: DataSources{DNS: dnsres.New(dnsres.Options{Server: addr, Timeout: time.Second, Rate: 1000})}}
	events := []*event.Event{ev("ip", "8.8.8.8"), ev("ip", "192.0.2.9"), ev("ip", "1.1.1.1"), ev("x", "1")}
	tests := []struct {
		src  string
		want []string
	}{
		// functions-reversedns: the name goes to _hostname; failures leave it out.
		{"reverseDns(ip) | select([ip, _hostname])", []string{"ip=8.8.8.8 _hostname=dns.google", "ip=192.0.2.9", "ip=1.1.1.1 _hostname=one.one.one.one", ""}},
		{"reverseDns(field=ip, as=host, limit=1) | select([ip, host])", []string{"ip=8.8.8.8 host=dns.google", "ip=192.0.2.9", "ip=1.1.1.1", ""}},
		// functions-rdns: as defaults to hostname; limit truncates the events.
		{`rdns("ip") | select([ip, hostname])`, []string{"ip=8.8.8.8 hostname=dns.google", "ip=192.0.2.9", "ip=1.1.1.1 hostname=one.one.one.one", ""}},
		{"rdns(ip, as=h, limit=1) | select([ip, h])", []string{"ip=8.8.8.8 h=dns.google"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, runWith(t, tc.src, opts, events)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.src, diff)
		}
	}
	p := compileQuery(t, "reverseDns(ip, limit=1)", opts)
	if _, warns := p.Run(events); len(warns) != 1 || !contains(warns[0], "distinct addresses") {
		t.Errorf("limit warning: %v", warns)
	}
	// Without --allow-dns the functions refuse, naming the flag.
	for _, src := range []string{"rdns(ip)", "reverseDns(ip)"} {
		ds := compileDiags(t, src)
		if !ds.HasErrors() || ds[0].Code != CodeMissingData || !contains(ds[0].Message, "--allow-dns") {
			t.Errorf("%s without DNS: %v", src, ds)
		}
	}
}
