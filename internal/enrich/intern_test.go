package enrich

import (
	"fmt"
	"testing"
	"unsafe"
)

// A user directory holding more strings than the interner's floor keeps
// one copy of each aid: an interner that started over every 4,096 strings
// copied the hosts' aids again and again.
func TestUserDirInternsPastTheFloor(t *testing.T) {
	const hosts, sids = 300, 5_000
	d := newUserDir(0)
	for i := range 4 * sids {
		aid := fmt.Sprintf("%032x", i%hosts)
		d.learnIdentity(aid, fmt.Sprintf("S-1-5-21-1004-%d", i%sids), "", "", fmt.Sprintf("user%d", i%200), float64(i))
	}
	copies := map[string]map[*byte]bool{}
	for k := range d.byHSid {
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
