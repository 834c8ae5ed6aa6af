package enrich

import (
	"fmt"
	"testing"
	"unsafe"
)

// DNS answers holding more strings than the interner's floor keep one copy
// of each aid: an interner that started over every 4,096 strings copied
// the hosts' aids again and again.
func TestDNSAnswersInternPastTheFloor(t *testing.T) {
	const hosts, ips = 300, 5_000
	d := &dnsAnswers{m: map[hostKey]stamped{}}
	for i := range 4 * ips {
		aid := fmt.Sprintf("%032x", i%hosts)
		d.learn(aid, fmt.Sprintf("h%d.example.com", i%200), fmt.Sprintf("10.0.%d.%d;", i%ips/250, i%ips%250), "", float64(i))
	}
	copies := map[string]map[*byte]bool{}
	for k := range d.m {
		if copies[k.aid] == nil {
			copies[k.aid] = map[*byte]bool{}
		}
		copies[k.aid][unsafe.StringData(k.aid)] = true
	}
	if len(copies) != hosts {
		t.Fatalf("%d hosts learned, want %d", len(copies), hosts)
	}
	for aid, c := range copies {
		if len(c) != 1 {
			t.Fatalf("aid %s held in %d copies", aid, len(c))
		}
	}
}
