package enrich

// Provides lists every field Apply may add, so a runner can tell which query
// literals are safe to test on raw lines (fields not listed come only from
// the raw event).
func (e *Enricher) Provides() []string {
	return append([]string(nil), addedNames[:]...)
}

// Streaming reports that Apply learns (stream mode without a Holder), so
// the runner must pass it the lines that teach (LearnPrefilter) even when
// no query wants them.
func (e *Enricher) Streaming() bool { return e.stream && !e.sequenced.Load() }
