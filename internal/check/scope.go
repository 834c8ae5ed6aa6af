package check

// scope is what the checker knows about the pipeline it is walking.
type scope struct {
	// top is the query's main pipeline, where preamble functions may lead.
	top bool
	// clause names the case/match clause or correlate node we are inside
	// ("" when none); aggregates are not allowed there.
	clause string
	// inCorrelate marks a correlate() node's sub-query.
	inCorrelate bool
	// aggregated is set once an aggregate has run earlier in this pipeline:
	// free-text search is no longer possible.
	aggregated bool
	// started is set once a step other than a preamble function was seen.
	started bool
}

// nested is the scope of a clause body: it inherits what ran before the
// case/match but starts its own step sequence.
func (s scope) nested(clause string) scope {
	return scope{clause: clause, inCorrelate: s.inCorrelate, aggregated: s.aggregated, started: true}
}
