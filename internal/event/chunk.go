package event

// Chunk is a run of whole NDJSON lines read from one source. Sources cut
// their input into chunks at line boundaries; workers decode chunks in
// parallel, and Seq lets results be put back in input order.
type Chunk struct {
	Seq       int64  // position of the chunk in the whole input, from 0
	Source    string // file name as given (or "-" for stdin), for error messages
	FirstLine int    // 1-based line number of the first line in Data
	Data      []byte // whole lines, each ended by '\n' (the last may lack it)
	Kind      Kind   // what the source holds (telemetry or a lookup table)
	// Replayed marks lines already counted once: held back for enrichment
	// and released later. They are searched but not counted as read again.
	Replayed bool
	// Barrier ends a block of a source that learns as it is read (stdin's
	// enrichment): what it learned from this chunk and the earlier ones
	// is what they must be enriched with, so a consumer applies them all
	// before it reads the source again.
	Barrier bool
}

// Kind classifies a source in an FDR tree.
type Kind int

const (
	KindTelemetry   Kind = iota // data/: sensor events
	KindAidmaster               // fdrv2/aidmaster/: host records keyed by aid
	KindUserinfo                // fdrv2/userinfo/: user records keyed by UserSid
	KindOtherLookup             // other fdrv2/ lookups (managedassets, notmanaged, appinfo)
)

func (k Kind) String() string {
	switch k {
	case KindAidmaster:
		return "aidmaster"
	case KindUserinfo:
		return "userinfo"
	case KindOtherLookup:
		return "lookup"
	}
	return "telemetry"
}
