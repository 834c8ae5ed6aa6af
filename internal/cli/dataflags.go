package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/tiercel/tiercel/internal/dnsres"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/geoip"
	"github.com/tiercel/tiercel/internal/ioc"
)

// dataFlags are the outside data of search and hunt: --geoip DIR for
// ipLocation()/asn()/worldMap(), --ioc PATH for ioc:lookup(), and
// --allow-dns (with --dns-server, --dns-timeout, --dns-rate) for rdns()
// and reverseDns(). See docs/outside-data.md.
type dataFlags struct {
	geoip      string
	ioc        string
	allowDNS   bool
	dnsServer  string
	dnsTimeout time.Duration
	dnsRate    float64
}

func (f *dataFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.geoip, "geoip", "", "`DIR` of MaxMind .mmdb files (GeoLite2/GeoIP2 City, ASN) for ipLocation(), asn(), worldMap()")
	fs.StringVar(&f.ioc, "ioc", "", "indicator store for ioc:lookup(): a `PATH` to a CSV, STIX 2.1 or MISP JSON file, a directory of them, or a `tiercel ioc import` store")
	fs.BoolVar(&f.allowDNS, "allow-dns", false, "let rdns() and reverseDns() send reverse DNS lookups (off: a hunt leaks no lookups)")
	fs.StringVar(&f.dnsServer, "dns-server", "", "with --allow-dns: ask `HOST[:PORT]` instead of the system resolver")
	fs.DurationVar(&f.dnsTimeout, "dns-timeout", 2*time.Second, "with --allow-dns: give up on one lookup after `D`")
	fs.Float64Var(&f.dnsRate, "dns-rate", 50, "with --allow-dns: at most `N` lookups per second")
}

// open loads what the flags name. The returned close releases it.
func (f *dataFlags) open(stderr io.Writer) (engine.DataSources, func(), error) {
	var d engine.DataSources
	closeAll := func() { _ = d.GeoIP.Close() }
	if f.geoip != "" {
		db, err := geoip.Open(f.geoip)
		if err != nil {
			return d, nil, withCode(ExitError, err)
		}
		d.GeoIP = db
	}
	if f.ioc != "" {
		s, skipped, err := ioc.Load(f.ioc)
		if err != nil {
			closeAll()
			return d, nil, withCode(ExitError, fmt.Errorf("--ioc: %w", err))
		}
		if skipped > 0 {
			fmt.Fprintf(stderr, "tiercel: warning: --ioc %s: %d records are not IP, domain, URL or hash indicators and were skipped\n", f.ioc, skipped)
		}
		d.IOC = s
	}
	if !f.allowDNS && f.dnsServer != "" {
		closeAll()
		return d, nil, withCode(ExitUsage, fmt.Errorf("--dns-server needs --allow-dns"))
	}
	if f.allowDNS {
		if f.dnsRate <= 0 || f.dnsTimeout <= 0 {
			closeAll()
			return d, nil, withCode(ExitUsage, fmt.Errorf("--dns-rate and --dns-timeout must be positive"))
		}
		d.DNS = dnsres.New(dnsres.Options{Server: f.dnsServer, Timeout: f.dnsTimeout, Rate: f.dnsRate})
	}
	return d, closeAll, nil
}
