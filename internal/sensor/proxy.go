package sensor

import (
	"bufio"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ProxyEvent is the Falcon event type a proxied web request maps onto:
// Falcon has no event for an HTTP request, and the nearest is the client
// naming the host it wants (DomainName), which is what a rule reading
// DnsRequest looks at. The request itself stays in the Http*/cs_* fields,
// and ProxyRequest in SensorEventType says what the record really was.
const ProxyEvent = "DnsRequest"

// ProxyRecordType is the source record type of a mapped proxy request.
const ProxyRecordType = "ProxyRequest"

// proxyRecord is one request, whichever log it came from.
type proxyRecord struct {
	ms        int64
	client    string
	user      string
	method    string
	scheme    string
	host      string
	port      string
	path      string
	query     string
	status    string
	action    string // TCP_MISS, TCP_TUNNEL, OBSERVED, ...
	bytes     string
	agent     string
	server    string // server IP when logged
	category  string
	mediaType string
}

// squidLine converts one line of Squid's native access.log:
// time elapsed client code/status bytes method URL user hierarchy/peer type
func (c *converter) squidLine(line []byte, n int) error {
	f := strings.Fields(string(line))
	if len(f) < 10 {
		return fmt.Errorf("squid access.log line has %d fields, want 10", len(f))
	}
	secs, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return fmt.Errorf("squid time %q: %v", f[0], err)
	}
	r := proxyRecord{ms: int64(secs*1000 + 0.5), client: f[2], bytes: f[4], method: f[5], mediaType: f[9]}
	r.action, r.status, _ = strings.Cut(f[3], "/")
	if f[7] != "-" {
		r.user = f[7]
	}
	if _, peer, ok := strings.Cut(f[8], "/"); ok && peer != "-" {
		r.server = peer
	}
	if err := r.setURL(f[6]); err != nil {
		return err
	}
	c.emitProxy(&r, n, string(line))
	return nil
}

// combinedLine converts one line of Squid's combined (or common) log
// format: client ident user [time] "method URL HTTP/v" status bytes
// "referer" "user agent" squid-status:hierarchy.
func (c *converter) combinedLine(line []byte, n int) error {
	m := combinedLine.FindStringSubmatch(string(line))
	if m == nil {
		return errors.New("not a combined/common log line")
	}
	t, err := time.Parse("02/Jan/2006:15:04:05 -0700", m[4])
	if err != nil {
		return fmt.Errorf("time %q: %v", m[4], err)
	}
	r := proxyRecord{ms: t.UnixMilli(), client: m[1], method: m[5], status: m[7], bytes: m[8], action: m[11]}
	if m[3] != "-" {
		r.user = m[3]
	}
	if m[10] != "" && m[10] != "-" {
		r.agent = strings.ReplaceAll(m[10], `\"`, `"`)
	}
	if err := r.setURL(m[6]); err != nil {
		return err
	}
	c.emitProxy(&r, n, string(line))
	return nil
}

// setURL fills host, port, path and query from a request URL, or from a
// CONNECT target host:port.
func (r *proxyRecord) setURL(raw string) error {
	if r.method == "CONNECT" || !strings.Contains(raw, "://") {
		host, port, ok := strings.Cut(raw, ":")
		if !ok && !strings.Contains(raw, "/") {
			port = ""
		}
		r.host, r.port, r.scheme = host, port, "https"
		if r.port == "" {
			r.port = "443"
		}
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("URL %q: %v", raw, err)
	}
	r.scheme, r.host, r.port, r.path, r.query = u.Scheme, u.Hostname(), u.Port(), u.EscapedPath(), u.RawQuery
	if r.port == "" {
		r.port = map[string]string{"http": "80", "https": "443", "ftp": "21"}[u.Scheme]
	}
	return nil
}

// w3c converts a W3C extended log (Blue Coat, Zscaler, IIS, ...): the
// #Fields: header names the space-separated, optionally quoted columns.
func (c *converter) w3c(src io.Reader) error {
	sc := bufio.NewScanner(src)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var fields []string
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			if rest, ok := strings.CutPrefix(line, "#Fields:"); ok {
				fields = strings.Fields(rest)
			}
			continue
		}
		c.st.Records++
		if fields == nil {
			c.problem(n, 0, errors.New("W3C record before any #Fields: header"))
			continue
		}
		vals, err := w3cSplit(line)
		if err != nil {
			c.problem(n, 0, err)
			continue
		}
		if len(vals) != len(fields) {
			c.problem(n, 0, fmt.Errorf("W3C record has %d values for %d fields", len(vals), len(fields)))
			continue
		}
		m := make(map[string]string, len(fields))
		for i, f := range fields {
			if vals[i] != "-" {
				m[strings.ToLower(f)] = vals[i]
			}
		}
		r, err := w3cRecord(m)
		if err != nil {
			c.problem(n, 0, err)
			continue
		}
		c.emitProxy(r, n, line)
		if c.werr != nil {
			return c.werr
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("after line %d: %w", n, err)
	}
	return nil
}

// w3cSplit splits on spaces, keeping "quoted values" (with "" or \" as a
// quote inside) whole.
func w3cSplit(line string) ([]string, error) {
	var out []string
	for i := 0; i < len(line); {
		switch line[i] {
		case ' ', '\t':
			i++
			continue
		case '"':
			var sb strings.Builder
			j := i + 1
			for ; j < len(line); j++ {
				if line[j] == '\\' && j+1 < len(line) && line[j+1] == '"' {
					sb.WriteByte('"')
					j++
					continue
				}
				if line[j] == '"' {
					if j+1 < len(line) && line[j+1] == '"' {
						sb.WriteByte('"')
						j++
						continue
					}
					break
				}
				sb.WriteByte(line[j])
			}
			if j >= len(line) {
				return nil, errors.New("unterminated quoted W3C value")
			}
			out = append(out, sb.String())
			i = j + 1
		default:
			j := i
			for j < len(line) && line[j] != ' ' && line[j] != '\t' {
				j++
			}
			out = append(out, line[i:j])
			i = j
		}
	}
	return out, nil
}

func w3cRecord(m map[string]string) (*proxyRecord, error) {
	pick := func(keys ...string) string {
		for _, k := range keys {
			if v := m[k]; v != "" {
				return v
			}
		}
		return ""
	}
	r := &proxyRecord{
		client: pick("c-ip"), user: pick("cs-username", "cs-user", "username"), method: pick("cs-method"),
		scheme: pick("cs-uri-scheme"), host: pick("cs-host", "s-host", "x-cs-host", "r-host", "host"),
		port: pick("cs-uri-port", "s-port", "r-port"), path: pick("cs-uri-stem", "cs-uri-path"),
		query: strings.TrimPrefix(pick("cs-uri-query"), "?"), status: pick("sc-status"), action: pick("s-action", "x-action"),
		bytes: pick("sc-bytes"), agent: pick("cs(user-agent)", "cs-user-agent", "useragent"), server: pick("s-ip", "r-ip", "s-supplier-ip"),
		category: pick("cs-categories", "x-category", "urlcategory"), mediaType: pick("rs(content-type)", "cs(content-type)"),
	}
	if r.host == "" {
		if u := pick("cs-uri", "url"); u != "" {
			if err := r.setURL(u); err != nil {
				return nil, err
			}
		}
	}
	if r.host == "" {
		return nil, errors.New("W3C record has no host (cs-host, cs-uri)")
	}
	ts := strings.TrimSpace(pick("date") + " " + pick("time"))
	if ms, ok := parseTimeMillis(ts); ok {
		r.ms = ms
	} else if ms, ok := parseTimeMillis(pick("x-timestamp-unix", "timestamp")); ok {
		r.ms = ms
	} else {
		return nil, fmt.Errorf("W3C record time %q not understood", ts)
	}
	if r.port == "" {
		r.port = map[string]string{"http": "80", "https": "443", "tcp": "443"}[strings.ToLower(r.scheme)]
	}
	if r.method == "CONNECT" && r.port == "" {
		r.port = "443"
	}
	return r, nil
}

// emitProxy maps a request onto tiercel's ProxyRequest event with the
// Falcon names where the meaning is the same (DomainName for the host
// asked for, RemotePort, RemoteAddressIP4, UserName, LocalAddressIP4 for
// the client).
func (c *converter) emitProxy(r *proxyRecord, n int, raw string) {
	o := &Out{}
	o.Set("event_simpleName", ProxyEvent)
	o.Set("SensorEventType", ProxyRecordType)
	o.setTime(r.ms, true)
	o.Set("DomainName", r.host)
	o.Set("RemotePort", r.port)
	if isIPv4(r.server) {
		o.Set("RemoteAddressIP4", r.server)
	}
	if isIPv4(r.client) {
		o.Set("LocalAddressIP4", r.client)
	}
	o.Set("UserName", r.user)
	o.Set("HttpMethod", r.method)
	o.Set("HttpScheme", r.scheme)
	o.Set("HttpPath", r.path)
	o.Set("HttpQuery", r.query)
	o.Set("HttpStatus", r.status)
	o.Set("HttpUserAgent", r.agent)
	o.Set("ProxyAction", r.action)
	o.Set("ProxyCategory", r.category)
	o.Set("ContentType", r.mediaType)
	o.Set("BytesReceived", r.bytes)
	// Proxy-log field names, for rules written against them (cs_host ...).
	o.Set("cs_host", r.host)
	o.Set("cs_username", r.user)
	o.Set("cs_uri_stem", r.path)
	o.Set("cs_user_agent", r.agent)
	o.Set(FieldSensor, Proxy)
	// Proxy lines carry no record id: the line's own hash identifies it
	// (the same line twice is the same request logged twice).
	h := fnv.New64a()
	h.Write([]byte(raw))
	o.Set("id", fmt.Sprintf("proxy:%016x", h.Sum64()))
	o.Set(FieldUnmapped, "aid,ComputerName,ContextProcessName,RequestType (a proxy sees the client address and user, not the host name or process; the lookup is the proxy's)")
	o.Set(FieldRecord, raw)
	o.Set(FieldPosition, "line "+strconv.Itoa(n))
	c.emit(o)
}
