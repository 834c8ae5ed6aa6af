package engine

import (
	"strconv"

	"github.com/tiercel/tiercel/internal/dnsres"
	"github.com/tiercel/tiercel/internal/event"
)

// reverseDns(field, as=_hostname, limit=5000, server) and the deprecated
// rdns(field, as=hostname, limit=5000, server): reverse DNS lookups, in the
// result phase as in LogScale (reference pages functions-reversedns,
// functions-rdns). reverseDns() passes every event and annotates those
// whose address is among the first `limit` distinct ones, warning about the
// rest; rdns() keeps the first `limit` events, warning when it truncates.
// A failed lookup leaves the event without the field. They run only with
// --allow-dns: a hunt must not leak lookups by default.

const (
	defaultDNSLimit = 5000
	maxDNSLimit     = 20000
)

func init() {
	registerFunc("reverseDns", &funcImpl{params: []string{"field", "as", "limit", "server"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		return compileDNS(c, a, "_hostname", false)
	}})
	registerFunc("rdns", &funcImpl{params: []string{"field", "as", "limit", "server"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		return compileDNS(c, a, "hostname", true)
	}})
}

type dnsSpec struct {
	name     string
	field    string
	as       string
	limit    int
	truncate bool // rdns: keep only the first limit events
	res      *dnsres.Resolver
}

func compileDNS(c *compiler, a *args, defAs string, truncate bool) (aggSpec, error) {
	if c.opts.Data.DNS == nil {
		return nil, c.missingData(a, "%s() sends reverse DNS lookups to the network, which tiercel does only when asked: pass --allow-dns (and --dns-server HOST to choose the server)", a.call.Name)
	}
	s := &dnsSpec{name: a.call.Name, truncate: truncate, as: a.asOr(defAs)}
	var err error
	if s.field, err = a.fieldName("field", ""); err != nil {
		return nil, err
	}
	if s.field == "" {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "%s(): missing required parameter field", a.call.Name)
	}
	if s.limit, err = a.limit("limit", defaultDNSLimit, maxDNSLimit); err != nil {
		return nil, err
	}
	server, err := a.str("server", "")
	if err != nil {
		return nil, err
	}
	s.res = c.opts.Data.DNS.WithServer(server)
	return s, nil
}

func (s *dnsSpec) newAgg(x *exec) collector { return &dnsAgg{s: s, x: x} }

type dnsAgg struct {
	s      *dnsSpec
	x      *exec
	events []*event.Event
	over   bool
}

func (d *dnsAgg) add(ev *event.Event) {
	if d.s.truncate && len(d.events) >= d.s.limit {
		d.over = true
		return
	}
	d.events = append(d.events, ev.Clone())
}

func (d *dnsAgg) finish(emit func(*event.Event)) {
	if d.over {
		d.x.warn.addf("%s(): more than %d events; only the first %d are kept", d.s.name, d.s.limit, d.s.limit)
	}
	seen := map[string]bool{}
	skipped := 0
	for _, ev := range d.events {
		if ip, ok := ev.Get(d.s.field); ok {
			if !seen[ip] && len(seen) >= d.s.limit {
				skipped++
			} else {
				seen[ip] = true
				if name, ok := d.s.res.Lookup(ip); ok {
					ev.Set(d.s.as, name)
				}
			}
		}
		emit(ev)
	}
	if skipped > 0 {
		d.x.warn.addf("%s(): more than %d distinct addresses; %s events were not looked up (raise limit= up to %d)",
			d.s.name, d.s.limit, strconv.Itoa(skipped), maxDNSLimit)
	}
}
