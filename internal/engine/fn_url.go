package engine

import (
	"net/url"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// parseUrl(field=url, as=<field>) adds <as>.scheme, .username, .password,
// .host, .port, .path, .fragment and .query (reference page
// functions-parseurl). LogScale parses with java.net.URI: the scheme is
// what comes before the first colon, so a partial URL such as
// site.example.com:80/path has scheme site.example.com and no host;
// components are decoded; absent components add no field. A value that
// does not parse leaves the event unchanged.

func init() {
	registerFunc("parseUrl", &funcImpl{params: []string{"field", "as"}, step: func(c *compiler, a *args) (any, error) {
		f, err := a.fieldName("field", "url")
		if err != nil {
			return nil, err
		}
		as, err := a.str("as", "")
		if err != nil {
			return nil, err
		}
		if as == "" {
			as = f
		}
		return &parseURLStep{field: f, prefix: as + "."}, nil
	}})
}

type parseURLStep struct{ field, prefix string }

func (s *parseURLStep) apply(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil {
		return true
	}
	set := func(name, val string) {
		if val != "" {
			ev.Set(s.prefix+name, val)
		}
	}
	set("scheme", u.Scheme)
	if u.User != nil {
		set("username", u.User.Username())
		if p, ok := u.User.Password(); ok {
			set("password", p)
		}
	}
	set("host", u.Hostname())
	set("port", u.Port())
	if u.Opaque == "" {
		set("path", u.Path)
	}
	if q, err := url.QueryUnescape(u.RawQuery); err == nil {
		set("query", q)
	} else {
		set("query", u.RawQuery)
	}
	set("fragment", u.Fragment)
	return true
}
