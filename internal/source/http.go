package source

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/valyala/fastjson"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/inflate"
	"github.com/tiercel/tiercel/internal/ingest"
)

// Ingest formats, one per endpoint.
const (
	FormatRaw          = "raw"                // POST /api/v1/ingest/raw: one JSON event per line
	FormatHEC          = "hec"                // /api/v1/ingest/hec, /services/collector: {"event": ...} objects
	FormatStructured   = "humio-structured"   // [{"tags":{}, "events":[{"timestamp","attributes","rawstring"}]}]
	FormatUnstructured = "humio-unstructured" // [{"fields":{}, "messages":["..."]}]
)

// Routes maps the ingest paths to their formats.
var Routes = map[string]string{
	"/api/v1/ingest/raw":                FormatRaw,
	"/api/v1/ingest/hec":                FormatHEC,
	"/api/v1/ingest/hec/raw":            FormatRaw,
	"/services/collector":               FormatHEC,
	"/services/collector/event":         FormatHEC,
	"/services/collector/raw":           FormatRaw,
	"/api/v1/ingest/humio-structured":   FormatStructured,
	"/api/v1/ingest/humio-unstructured": FormatUnstructured,
}

// HTTPIngest serves the ingest endpoints. Each token names a source: a
// request must carry one (Authorization: Bearer T; HEC clients' "Splunk T"
// works too) or it is refused with 401 before its body is read. A request
// is answered 200 only once its events are durable; over capacity it gets
// 429, while shutting down 503, both with Retry-After. A body that does not
// parse is refused whole (400), so nothing of it is stored.
type HTTPIngest struct {
	Tokens  map[string]string // token -> source name
	Sink    Sink
	MaxBody int64 // decompressed bytes per request (default 64 MiB)
	// Observe, when set, is told about each request's outcome.
	Observe func(source string, events int, status int)
}

// ServeHTTP implements http.Handler for every path in Routes.
func (h *HTTPIngest) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	format, ok := Routes[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	src, ok := h.auth(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tiercel ingest"`)
		h.fail(w, "", 0, http.StatusUnauthorized, "missing or invalid ingest token")
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		w.Header().Set("Allow", "POST, PUT")
		h.fail(w, src, 0, http.StatusMethodNotAllowed, "use POST")
		return
	}
	body, status, err := h.readBody(w, r)
	if err != nil {
		h.fail(w, src, 0, status, err.Error())
		return
	}
	lines, err := Parse(format, body)
	if err != nil {
		h.fail(w, src, 0, http.StatusBadRequest, err.Error())
		return
	}
	if len(lines) == 0 {
		h.ok(w, format, src, 0)
		return
	}
	b := NewBatch("http:"+src, event.KindTelemetry, lines, "")
	switch err := h.Sink.Offer(b); {
	case errors.Is(err, ErrBusy):
		w.Header().Set("Retry-After", "1")
		h.fail(w, src, len(lines), http.StatusTooManyRequests, "over capacity, retry later")
		return
	case err != nil:
		w.Header().Set("Retry-After", "5")
		h.fail(w, src, len(lines), http.StatusServiceUnavailable, err.Error())
		return
	}
	if err := b.Wait(r.Context()); err != nil {
		w.Header().Set("Retry-After", "5")
		h.fail(w, src, len(lines), http.StatusServiceUnavailable, "not stored: "+err.Error())
		return
	}
	h.ok(w, format, src, len(lines))
}

func (h *HTTPIngest) auth(r *http.Request) (string, bool) {
	v := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(v, " ")
	if !ok || !(strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "Splunk")) {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	for t, name := range h.Tokens {
		if t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			return name, true
		}
	}
	return "", false
}

// readBody reads the request body, decompressing gzip or zstd per
// Content-Encoding, within MaxBody.
func (h *HTTPIngest) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	limit := h.MaxBody
	if limit <= 0 {
		limit = 64 << 20
	}
	var rd io.Reader = http.MaxBytesReader(w, r.Body, limit)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		gz, err := inflate.NewReader(rd)
		if err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("gzip body: %v", err)
		}
		defer gz.Close()
		rd = gz
	case "zstd":
		zr, err := zstd.NewReader(rd, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(limit)))
		if err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("zstd body: %v", err)
		}
		defer zr.Close()
		rd = zr
	default:
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("Content-Encoding %q not supported (gzip, zstd)", enc)
	}
	body, err := io.ReadAll(io.LimitReader(rd, limit+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || int64(len(body)) > limit:
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body over %d bytes", limit)
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("reading body: %v", err)
	}
	return body, 0, nil
}

func (h *HTTPIngest) ok(w http.ResponseWriter, format, src string, n int) {
	if h.Observe != nil {
		h.Observe(src, n, http.StatusOK)
	}
	w.Header().Set("Content-Type", "application/json")
	if format == FormatHEC {
		io.WriteString(w, `{"text":"Success","code":0}`+"\n")
		return
	}
	io.WriteString(w, "{}\n")
}

func (h *HTTPIngest) fail(w http.ResponseWriter, src string, n, status int, msg string) {
	if h.Observe != nil {
		h.Observe(src, n, status)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\"error\":%s}\n", strconv.Quote(msg))
}

// Parse turns a request body of the given format into event lines.
func Parse(format string, body []byte) ([][]byte, error) {
	switch format {
	case FormatRaw:
		return parseRaw(body)
	case FormatHEC:
		return parseHEC(body)
	case FormatStructured:
		return parseStructured(body)
	case FormatUnstructured:
		return parseUnstructured(body)
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// parseRaw splits NDJSON, checking each line is one JSON object.
func parseRaw(body []byte) ([][]byte, error) {
	var out [][]byte
	var sc ingest.ObjectScanner
	var m ingest.Member
	n := 0
	for len(body) > 0 {
		n++
		line := body
		if i := indexNL(body); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		line = trimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !sc.Reset(line) {
			return nil, fmt.Errorf("line %d: not a JSON object", n)
		}
		for sc.Next(&m) {
		}
		if sc.Err() != nil {
			return nil, fmt.Errorf("line %d: invalid JSON", n)
		}
		out = append(out, line)
	}
	return out, nil
}

func indexNL(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return -1
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// parseHEC reads HEC event objects, newline-separated or back to back.
// The event object is the stored line; "time" (epoch seconds) becomes
// @timestamp when the event has no time of its own, "host", "source",
// "sourcetype" and "fields" are added when the event lacks them.
func parseHEC(body []byte) ([][]byte, error) {
	var sc fastjson.Scanner
	sc.InitBytes(body)
	var out [][]byte
	var arena fastjson.Arena
	n := 0
	for sc.Next() {
		n++
		v := sc.Value()
		if v.Type() != fastjson.TypeObject {
			return nil, fmt.Errorf("event %d: not a JSON object", n)
		}
		evv := v.Get("event")
		if evv == nil {
			return nil, fmt.Errorf("event %d: no \"event\" field", n)
		}
		arena.Reset()
		obj, err := eventObject(&arena, evv)
		if err != nil {
			return nil, fmt.Errorf("event %d: %v", n, err)
		}
		o, _ := obj.Object()
		if t := v.Get("time"); t != nil && o.Get("@timestamp") == nil && o.Get("timestamp") == nil && o.Get("ContextTimeStamp") == nil {
			if ms, ok := hecTime(t); ok {
				o.Set("@timestamp", arena.NewNumberString(strconv.FormatInt(ms, 10)))
			}
		}
		for _, k := range []string{"host", "source", "sourcetype"} {
			if f := v.Get(k); f != nil && o.Get(k) == nil {
				o.Set(k, f)
			}
		}
		if fields := v.GetObject("fields"); fields != nil {
			fields.Visit(func(k []byte, f *fastjson.Value) {
				if o.Get(string(k)) == nil {
					o.Set(string(k), f)
				}
			})
		}
		out = append(out, obj.MarshalTo(nil))
	}
	if err := sc.Error(); err != nil {
		return nil, fmt.Errorf("event %d: invalid JSON: %v", n+1, err)
	}
	return out, nil
}

// eventObject is an event as an object: objects as they are, a string
// holding a JSON object parsed, any other string as {"@rawstring": s}.
func eventObject(a *fastjson.Arena, v *fastjson.Value) (*fastjson.Value, error) {
	switch v.Type() {
	case fastjson.TypeObject:
		return v, nil
	case fastjson.TypeString:
		s := v.GetStringBytes()
		if t := trimSpace(s); len(t) > 0 && t[0] == '{' {
			if inner, err := fastjson.ParseBytes(t); err == nil && inner.Type() == fastjson.TypeObject {
				return inner, nil
			}
		}
		o := a.NewObject()
		o.Set("@rawstring", a.NewStringBytes(s))
		return o, nil
	}
	return nil, fmt.Errorf("event is a %s, want an object or a string", v.Type())
}

// hecTime reads HEC's time: epoch seconds, maybe fractional, number or string.
func hecTime(v *fastjson.Value) (int64, bool) {
	var f float64
	switch v.Type() {
	case fastjson.TypeNumber:
		f = v.GetFloat64()
	case fastjson.TypeString:
		var err error
		if f, err = strconv.ParseFloat(string(v.GetStringBytes()), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if f <= 0 {
		return 0, false
	}
	return int64(f*1000 + 0.5), true
}

// parseStructured reads LogScale's structured ingest: each event's
// attributes (or its rawstring, when that is a JSON object) plus the
// batch tags, with timestamp as @timestamp and rawstring as @rawstring.
func parseStructured(body []byte) ([][]byte, error) {
	v, err := fastjson.ParseBytes(body)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	groups, err := v.Array()
	if err != nil {
		return nil, errors.New("want a JSON array of {tags, events}")
	}
	var out [][]byte
	var a fastjson.Arena
	for gi, g := range groups {
		events := g.GetArray("events")
		if g.Type() != fastjson.TypeObject || (g.Get("events") != nil && events == nil) {
			return nil, fmt.Errorf("element %d: want {tags, events: [...]}", gi)
		}
		tags := g.GetObject("tags")
		for ei, e := range events {
			a.Reset()
			o := a.NewObject()
			raw := e.Get("rawstring")
			if attrs := e.GetObject("attributes"); attrs != nil {
				attrs.Visit(func(k []byte, f *fastjson.Value) { o.Set(string(k), f) })
			} else if raw != nil {
				if inner, err := eventObject(&a, raw); err == nil {
					o = inner
				}
			}
			obj, _ := o.Object()
			if obj == nil {
				return nil, fmt.Errorf("element %d event %d: not an object", gi, ei)
			}
			if raw != nil && raw.Type() == fastjson.TypeString && obj.Get("@rawstring") == nil && e.GetObject("attributes") != nil {
				obj.Set("@rawstring", raw)
			}
			if ts := e.Get("timestamp"); ts != nil && obj.Get("@timestamp") == nil {
				obj.Set("@timestamp", ts)
			}
			if tags != nil {
				tags.Visit(func(k []byte, f *fastjson.Value) {
					name := "#" + strings.TrimPrefix(string(k), "#")
					if obj.Get(name) == nil {
						obj.Set(name, f)
					}
				})
			}
			out = append(out, o.MarshalTo(nil))
		}
	}
	return out, nil
}

// parseUnstructured reads LogScale's unstructured ingest: each message is
// an event (a JSON object message as it is, other text as @rawstring),
// with the group's fields added.
func parseUnstructured(body []byte) ([][]byte, error) {
	v, err := fastjson.ParseBytes(body)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	groups, err := v.Array()
	if err != nil {
		return nil, errors.New("want a JSON array of {fields, messages}")
	}
	var out [][]byte
	var a fastjson.Arena
	for gi, g := range groups {
		msgs := g.GetArray("messages")
		if g.Type() != fastjson.TypeObject || (g.Get("messages") != nil && msgs == nil) {
			return nil, fmt.Errorf("element %d: want {fields, messages: [...]}", gi)
		}
		fields := g.GetObject("fields")
		for mi, m := range msgs {
			if m.Type() != fastjson.TypeString {
				return nil, fmt.Errorf("element %d message %d: not a string", gi, mi)
			}
			a.Reset()
			o, _ := eventObject(&a, m)
			obj, _ := o.Object()
			if fields != nil {
				fields.Visit(func(k []byte, f *fastjson.Value) {
					if obj.Get(string(k)) == nil {
						obj.Set(string(k), f)
					}
				})
			}
			out = append(out, o.MarshalTo(nil))
		}
	}
	return out, nil
}
