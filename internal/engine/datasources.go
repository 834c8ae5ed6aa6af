package engine

import (
	"github.com/tiercel/tiercel/internal/dnsres"
	"github.com/tiercel/tiercel/internal/geoip"
	"github.com/tiercel/tiercel/internal/ioc"
)

// DataSources is the outside data some LogScale functions read: LogScale
// ships it inside the cluster, tiercel takes it from files the user names.
// A nil source makes the functions that need it a compile error naming the
// flag that supplies it.
type DataSources struct {
	GeoIP *geoip.DB  // --geoip: ipLocation(), asn(), worldMap(ip=)
	IOC   *ioc.Store // --ioc: ioc:lookup()
	// DNS answers rdns() and reverseDns(); nil unless --allow-dns, so that
	// a hunt does not send lookups to the network by default.
	DNS *dnsres.Resolver
}

// CodeMissingData marks a compile error caused by outside data that was not
// given (a GeoIP database, an IOC store, DNS permission), not by the query.
const CodeMissingData = "missing-data"

func (c *compiler) missingData(a *args, format string, v ...any) error {
	return c.errAt(a.call.NameSp, CodeMissingData, format, v...)
}
