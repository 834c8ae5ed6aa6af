// Package dnsres does the reverse DNS lookups of rdns() and reverseDns().
// A hunt must not leak lookups to the network by default, so the engine
// only gets a Resolver when the user passes --allow-dns. Lookups go through
// the system resolver or a given server, with a per-lookup timeout, a
// global rate limit and a cache shared by every query of the process.
package dnsres

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Options configure a Resolver.
type Options struct {
	Server  string        // host:port (or host, port 53) of a DNS server; "" uses the system resolver
	Timeout time.Duration // per lookup; 0 means 2s
	Rate    float64       // lookups per second over the whole process; 0 means 50
}

// Resolver resolves addresses to host names. It is safe for concurrent use.
type Resolver struct {
	opts    Options
	net     *net.Resolver
	limiter *limiter
	mu      sync.Mutex
	cache   map[string]string // address -> name ("" for a failed lookup)
}

// New returns a Resolver.
func New(o Options) *Resolver {
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Rate <= 0 {
		o.Rate = 50
	}
	return newResolver(o, &limiter{interval: time.Duration(float64(time.Second) / o.Rate)})
}

func newResolver(o Options, l *limiter) *Resolver {
	r := &Resolver{opts: o, limiter: l, cache: map[string]string{}, net: net.DefaultResolver}
	if o.Server != "" {
		server := o.Server
		if _, _, err := net.SplitHostPort(server); err != nil {
			server = net.JoinHostPort(server, "53")
		}
		r.net = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		}}
	}
	return r
}

// WithServer returns a Resolver asking server (rdns(server=...)), sharing
// the rate limit of r but with its own cache.
func (r *Resolver) WithServer(server string) *Resolver {
	if server == "" || server == r.opts.Server {
		return r
	}
	o := r.opts
	o.Server = server
	return newResolver(o, r.limiter)
}

// Lookup returns the first name of ip's PTR records without the trailing
// dot, or false when the address does not parse, has no name, or the
// lookup failed or timed out. Results, failures included, are cached.
func (r *Resolver) Lookup(ip string) (string, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return "", false
	}
	k := a.Unmap().String()
	r.mu.Lock()
	name, seen := r.cache[k]
	r.mu.Unlock()
	if seen {
		return name, name != ""
	}
	r.limiter.wait()
	ctx, cancel := context.WithTimeout(context.Background(), r.opts.Timeout)
	names, err := r.net.LookupAddr(ctx, k)
	cancel()
	if err == nil && len(names) > 0 {
		name = strings.TrimSuffix(names[0], ".")
	}
	r.mu.Lock()
	r.cache[k] = name
	r.mu.Unlock()
	return name, name != ""
}

// limiter spaces lookups at least interval apart, process-wide.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func (l *limiter) wait() {
	l.mu.Lock()
	now := time.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.interval)
	l.mu.Unlock()
	if d := time.Until(at); d > 0 {
		time.Sleep(d)
	}
}
