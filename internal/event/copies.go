package event

// Copies holds copies of events in storage that is reused once Reset: a
// goroutine handing rows to another in batches copies each row without
// allocating it anew, the batch going back to it when the rows are done
// with. The copies are valid until the next Reset.
type Copies struct {
	rows   []*Event
	events []Event
	fields []Field
	bytes  Arena
}

// Add appends a copy of e.
func (c *Copies) Add(e *Event) {
	// Storage that is full is replaced, not grown: what was copied into it
	// stays where it is, referenced by the copies made before.
	if len(c.fields)+len(e.fields) > cap(c.fields) {
		c.fields = make([]Field, 0, max(2*cap(c.fields), len(e.fields), 64))
	}
	if len(c.events) == cap(c.events) {
		c.events = make([]Event, 0, max(2*cap(c.events), 16))
	}
	start := len(c.fields)
	for _, f := range e.fields {
		c.fields = append(c.fields, Field{Name: c.bytes.Copy(f.Name), Value: c.bytes.Copy(f.Value)})
	}
	c.events = append(c.events, Event{fields: c.fields[start:len(c.fields):len(c.fields)]})
	c.rows = append(c.rows, &c.events[len(c.events)-1])
}

// Rows returns the copies, in the order added.
func (c *Copies) Rows() []*Event { return c.rows }

// Len is the number of copies.
func (c *Copies) Len() int { return len(c.rows) }

// Reset drops the copies, keeping the storage (the largest of each kind
// used) for the next.
func (c *Copies) Reset() {
	clear(c.rows)
	clear(c.events) // the copies' fields, for the collector
	clear(c.fields)
	c.rows, c.events, c.fields = c.rows[:0], c.events[:0], c.fields[:0]
	c.bytes.Reset()
}
