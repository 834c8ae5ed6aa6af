package enrich

import (
	"strconv"

	"github.com/tiercel/tiercel/internal/event"
)

// LookupKeys enriches ev as Apply would and calls add with the text of
// every key the enrichment looked up: process ids (the start of process
// 123 is a line holding "123"), remote addresses (DNS answers), and for
// the records of hosts and users, which hold no id of the event,
// "ComputerName" and "UserName" (every user record names its user; an
// event whose acting process is looked up asks for them too, as the
// process, once learned, leads to its user). Whatever teaches the value
// of such a key is a line holding its text (or a \u escape), so learning
// only from lines holding the keys of a few events' lookups, again until
// no new key appears, enriches those events as learning from every line
// does (run.learnTargeted). Counters are left as they were.
//
// It must not run beside Apply or Learn: it swaps the enricher's hooks.
func (e *Enricher) LookupKeys(ev *event.Event, add func(key string)) {
	count := e.count
	e.count, e.lookups = &counters{}, add
	defer func() { e.count, e.lookups = count, nil }()
	e.Apply(ev)
}

// noteLookup tells LookupKeys' caller that Apply looks key up.
func (e *Enricher) noteLookup(key string) {
	if e.lookups != nil && key != "" {
		e.lookups(key)
	}
}

// notePID is noteLookup for a process id: its decimal digits, which any
// spelling parsePID accepts holds (leading zeros, spaces around).
func (e *Enricher) notePID(pid uint64) {
	if e.lookups != nil {
		e.lookups(strconv.FormatUint(pid, 10))
	}
}
