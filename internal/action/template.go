package action

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/alert"
	"github.com/tiercel/tiercel/internal/jsonenc"
)

// Expand fills a LogScale message template for one alert. Variables:
//
//	{alert_name} {alert_description} {alert_id} {alert_triggered_timestamp}
//	{event_count} {events} (JSON array) {events_str} (the events, one per line)
//	{field:NAME} (a field of the alert's event) {query_string} {rule}
//	{severity} {branch} {status}
//
// With jsonStrings, every value but {events} and {event_count} is escaped
// for use inside a JSON string, so a JSON body template stays valid
// whatever the event holds. Unknown variables are left as written.
func Expand(tmpl string, a alert.Alert, meta Meta, jsonStrings bool) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		name := tmpl[i+1 : i+j]
		val, raw, ok := variable(name, a, meta)
		b.WriteString(tmpl[:i])
		if !ok { // not a variable: keep the brace, look further on
			b.WriteByte('{')
			tmpl = tmpl[i+1:]
			continue
		}
		switch {
		case jsonStrings && !raw:
			q := jsonenc.AppendString(nil, val)
			b.Write(q[1 : len(q)-1])
		default:
			b.WriteString(val)
		}
		tmpl = tmpl[i+j+1:]
	}
}

// Meta is what a template may say beyond the alert itself.
type Meta struct {
	Description string
	Query       string
}

// variable returns a template variable's value; raw values are JSON
// already (never escaped).
func variable(name string, a alert.Alert, m Meta) (val string, raw, ok bool) {
	switch name {
	case "alert_name":
		return a.Title, false, true
	case "alert_description":
		return m.Description, false, true
	case "alert_id":
		return a.ID, false, true
	case "alert_triggered_timestamp":
		return a.FirstSeen.UTC().Format(time.RFC3339Nano), false, true
	case "event_count":
		return strconv.Itoa(max(a.Count, 1)), true, true
	case "events":
		return "[" + string(a.JSON) + "]", true, true
	case "events_str":
		return string(a.JSON), false, true
	case "query_string":
		return m.Query, false, true
	case "rule":
		return a.Rule, false, true
	case "severity":
		return a.Severity, false, true
	case "branch":
		return a.Branch, false, true
	case "status":
		return a.Status, false, true
	}
	if f, found := strings.CutPrefix(name, "field:"); found {
		return fieldOf(a.JSON, f), false, true
	}
	return "", false, false
}

// fieldOf reads one top-level field of the alert JSON as text.
func fieldOf(body []byte, name string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	v, ok := m[name]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(v))
}
