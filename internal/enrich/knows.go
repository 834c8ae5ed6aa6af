package enrich

// KnowsProcess reports whether the acting process of a context event (its
// aid and ContextProcessId) is in the process table. It reports true when
// waiting could not help: no usable pid, process details not kept, or the
// aid table is full. A long-running consumer (tiercel serve) uses it to
// hold such events across batches until their process start arrives.
func (e *Enricher) KnowsProcess(aid, contextProcessID string) bool {
	pid, ok := parsePID(contextProcessID)
	if !ok || aid == "" || !e.keep.procs {
		return true
	}
	id, ok := e.aids.number(aid)
	if !ok {
		return true
	}
	return e.procs.has(procKey{id, pid}, e.clock.Add(1))
}
