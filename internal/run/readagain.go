package run

// ReadAgain is why a learning search read its input again (Stats).
type ReadAgain string

const (
	// AgainLearningAsRead: deferring learning kept too many lines, or
	// learning looked cheaper than the reads deferring needs
	AgainLearningAsRead ReadAgain = "started again learning as it reads: deferring learning did not pay"
	// AgainCarrier: with learning deferred, a record that teaches holds a
	// free-text literal enrichment may copy into other events
	AgainCarrier ReadAgain = "started again learning as it reads: a record that teaches holds the free text"
	// AgainTooMany: more candidate lines than are worth holding
	AgainTooMany ReadAgain = "too many candidate lines to hold until learning was done"
	// AgainEnrichedAfterAll: input that looked enriched (learning skipped)
	// had a candidate without the enriched fields
	AgainEnrichedAfterAll ReadAgain = "a candidate lacked the enriched fields the input seemed to have: learned all"
	// AgainTextLost: records of a process disagreed on a detail only free
	// text reads
	AgainTextLost ReadAgain = "records of a process disagreed on a detail free text reads: learned all again"
	// AgainCarrierMissed: a process carrying a free-text literal was
	// learned after lines it may give it were rejected
	AgainCarrierMissed ReadAgain = "a process carrying the free text was learned after events it gives it"
	// AgainBetLost: a process unknown when its events were rejected was
	// learned with a name the query may match
	AgainBetLost ReadAgain = "a process unknown when its events came was learned with a name the query may match"
	// AgainSettledChanged: a process's or sensor's value candidates were
	// settled by was replaced by one the query may match
	AgainSettledChanged ReadAgain = "a process or sensor record was replaced by one with a value the query may match"
)
