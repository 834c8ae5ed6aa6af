package enrich

import (
	"strings"
	"sync"
)

// dnsAnswers remembers, per sensor, which domain each address was the DNS
// answer for (DnsRequest IP4Records), so network events can name the host
// they connect to (DestinationHostname). The newest answer wins, so the
// result does not depend on arrival order.
type dnsAnswers struct {
	mu    sync.RWMutex
	m     map[hostKey]stamped
	limit int
	strs  interner
}

// learn records a DnsRequest's answers: IP4Records is a `;`-separated
// (and terminated) list; FirstIP4Record stands alone on some lines.
func (d *dnsAnswers) learn(aid, domain, records, first string, t float64) bool {
	if aid == "" || missing(domain) || (records == "" && first == "") {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.strs.fit(len(d.m))
	aid, domain = d.strs.get(aid), d.strs.get(strings.TrimSuffix(domain, "."))
	added := false
	for _, ip := range append(strings.Split(records, ";"), first) {
		if ip = strings.TrimSpace(ip); ip == "" {
			continue
		}
		added = putNewest(d.m, d.limit, hostKey{aid, d.strs.get(ip)}, stamped{domain, t}) || added
	}
	return added
}

func (d *dnsAnswers) lookup(aid, ip string) (string, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	s, ok := d.m[hostKey{aid, ip}]
	return s.name, ok
}
