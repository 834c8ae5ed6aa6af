package event

// Snapshots let the engine try a sub-pipeline on an event and roll back its
// changes (a case clause that modifies and then rejects an event must leave
// the next clause the original). They copy only field headers: strings stay
// where they are, so a snapshot is valid until the event's next Reset.

// AppendFields appends the event's fields to dst and returns it.
func (e *Event) AppendFields(dst []Field) []Field { return append(dst, e.fields...) }

// RestoreFields replaces the event's fields with a copy of fields.
func (e *Event) RestoreFields(fields []Field) {
	e.indexed = false
	clear(e.fields)
	e.fields = append(e.fields[:0], fields...)
}

// CopyFrom makes e hold the same fields as o, sharing o's strings (valid while
// o's arena is). e keeps its own arena for values set later.
func (e *Event) CopyFrom(o *Event) {
	e.indexed = false
	clear(e.fields)
	e.fields = append(e.fields[:0], o.fields...)
	e.arena.Reset()
}
