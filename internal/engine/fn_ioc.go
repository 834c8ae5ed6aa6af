package engine

import (
	"slices"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ioc"
)

// ioc:lookup(field, type, confidenceThreshold=high, include=all, prefix=ioc,
// strict=false) looks the fields' values up in the indicator store given
// with --ioc (LogScale: CrowdStrike's curated IOC database). Reference page
// functions-ioc-lookup: every IOC matched, over all the fields in order,
// becomes one element of the array <prefix>[i] with the columns indicator,
// type, labels (comma-separated), malicious_confidence, published_date and
// last_updated; a match also sets <prefix>.detected=true. strict=true drops
// events where nothing matched.

func init() {
	registerFunc("ioc:lookup", &funcImpl{params: []string{"field", "type", "confidenceThreshold", "include", "prefix", "strict"},
		step: compileIOCLookup})
}

var iocColumns = []string{"indicator", "labels", "last_updated", "malicious_confidence", "published_date", "type"}

type iocLookupStep struct {
	fields   []string
	typ      string
	minLevel int
	include  []string
	prefix   string
	strict   bool
	store    *ioc.Store
}

func compileIOCLookup(c *compiler, a *args) (any, error) {
	if c.opts.Data.IOC == nil {
		return nil, c.missingData(a, "ioc:lookup() needs an indicator store: pass --ioc PATH, a CSV, STIX 2.1 or MISP JSON file, a directory of them, or a store built by `tiercel ioc import`")
	}
	s := &iocLookupStep{store: c.opts.Data.IOC}
	var err error
	if s.fields, err = a.readFields("field"); err != nil {
		return nil, err
	}
	if s.typ, err = a.required("type"); err != nil {
		return nil, err
	}
	switch s.typ {
	case ioc.TypeIP, ioc.TypeDomain, ioc.TypeURL:
	default:
		return nil, a.errorf("type", "type must be ip_address, domain or url, not %q", s.typ)
	}
	th, err := a.str("confidenceThreshold", "high")
	if err != nil {
		return nil, err
	}
	if s.minLevel = ioc.Level(th); s.minLevel < 0 {
		return nil, a.errorf("confidenceThreshold", "confidenceThreshold must be unverified, low, medium or high, not %q", th)
	}
	if s.include, err = a.strList("include"); err != nil {
		return nil, err
	}
	if s.include == nil {
		s.include = iocColumns
	}
	for _, col := range s.include {
		if !slices.Contains(iocColumns, col) {
			return nil, a.errorf("include", "include: unknown column %q (columns: %s)", col, strings.Join(iocColumns, ", "))
		}
	}
	if s.prefix, err = a.str("prefix", "ioc"); err != nil {
		return nil, err
	}
	if s.strict, err = a.boolean("strict", false); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *iocLookupStep) apply(x *exec, ev *event.Event) bool {
	var found []*ioc.Indicator
	for _, f := range s.fields {
		if v, ok := ev.Get(f); ok && v != "" {
			found = s.store.Lookup(s.typ, v, s.minLevel, found)
		}
	}
	if len(found) == 0 {
		return !s.strict
	}
	for i, ind := range found {
		base := s.prefix + "[" + strconv.Itoa(i) + "]."
		for _, col := range s.include {
			var v string
			switch col {
			case "indicator":
				v = ind.Indicator
			case "type":
				v = ind.Type
			case "labels":
				v = strings.Join(ind.Labels, ",")
			case "malicious_confidence":
				v = ind.Confidence
			case "published_date":
				v = ind.Published
			case "last_updated":
				v = ind.Updated
			}
			if v != "" {
				ev.Set(base+col, v)
			}
		}
	}
	ev.Set(s.prefix+".detected", "true")
	return true
}
