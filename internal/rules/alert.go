package rules

import (
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/jsonenc"
)

// Alert is one result row of a rule: the fields of its table() plus
// AlertFields, in column order.
type Alert struct {
	Rule   *Rule
	Fields []event.Field
	// head is the rule's part of the JSON object (AppendJSON), made once
	// by Compile; nil: made for each alert
	head []byte
}

// NewAlert copies a result row of p into an alert (the row may be reused).
func (p *Program) NewAlert(row *event.Event) Alert {
	a := p.AlertOf(row, nil)
	// the strings copied into one allocation, which they own together (a
	// string each was most of the allocations of a hunt's last step); the
	// names too when they are the row's, not the columns'
	event.OwnFields(a.Fields, len(p.Columns) == 0)
	return a
}

// AlertOf is the alert of a result row of p, its fields appended to
// fields[:0] and its values the row's: valid only as long as the row is
// and fields is not reused. A caller done with each alert before the next
// (hunt writing them out) copies nothing.
func (p *Program) AlertOf(row *event.Event, fields []event.Field) Alert {
	a := Alert{Rule: p.Rule, Fields: fields[:0], head: p.alertHead}
	if a.Fields == nil {
		a.Fields = make([]event.Field, 0, len(p.Columns))
	}
	for _, c := range p.Columns {
		if v, ok := row.Get(c); ok {
			a.Fields = append(a.Fields, event.Field{Name: c, Value: v})
		}
	}
	if len(p.Columns) == 0 {
		a.Fields = append(a.Fields, row.Fields()...)
	}
	return a
}

// Get returns a field of the alert.
func (a Alert) Get(name string) string {
	for _, f := range a.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// Branch is the alert's DetectionBranch ("" when the rule sets none).
func (a Alert) Branch() string { return a.Get("DetectionBranch") }

// AppendJSON appends the alert as one JSON object: rule metadata first, then
// DetectionBranch, then the row's fields; @timestamp is an epoch-ms number.
func (a Alert) AppendJSON(b []byte) []byte {
	if a.head != nil {
		b = append(b, a.head...)
	} else {
		b = appendAlertHead(b, a.Rule)
	}
	put := func(k, v string) {
		b = append(b, ',')
		b = jsonenc.AppendString(b, k) // a field name is any string, and must stay JSON
		b = append(b, ':')
		b = jsonenc.AppendString(b, v)
	}
	if br := a.Branch(); br != "" {
		put("DetectionBranch", br)
	}
	for _, f := range a.Fields {
		if f.Name == "DetectionBranch" {
			continue
		}
		if f.Name == event.Timestamp {
			if ms, ok := event.ParseNumber(f.Value); ok {
				b = append(b, ',')
				b = jsonenc.AppendString(b, f.Name)
				b = append(b, ':')
				b = event.AppendNumber(b, ms)
				continue
			}
		}
		put(f.Name, f.Value)
	}
	return append(b, '}')
}

// appendAlertHead appends the opening of the JSON object of r's alerts:
// the rule's metadata, the same for each (a thousand rules' alerts spent
// a third of their encoding on it).
func appendAlertHead(b []byte, r *Rule) []byte {
	b = append(b, '{')
	n := 0
	put := func(k, v string) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = jsonenc.AppendString(b, k)
		b = append(b, ':')
		b = jsonenc.AppendString(b, v)
	}
	put("rule", r.ID)
	put("title", r.DisplayName())
	if s := r.Sigma; s != nil {
		// DRL 1.1: every alert of a Sigma rule names the rule's author.
		put("author", s.Author)
		put("level", s.Level)
		b = append(b, `,"tags":[`...)
		for i, t := range s.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendString(b, t)
		}
		b = append(b, ']')
		if s.ID != "" {
			put("sigma_id", s.ID)
		}
		if s.License != "" {
			put("license", s.License)
		}
	}
	if r.Sigma == nil || r.Attack.Technique.ID != "" { // a Sigma rule without ATT&CK tags has none
		put("tactic", r.Attack.Tactic.ID)
		put("technique", r.Attack.Technique.ID)
	}
	if r.Attack.Subtechnique.ID != "" {
		put("subtechnique", r.Attack.Subtechnique.ID)
	}
	put("severity", r.Severity)
	put("confidence", r.Confidence)
	return b
}
