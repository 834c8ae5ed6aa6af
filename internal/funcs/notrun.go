package funcs

// notRun says, for each catalog function the engine does not run, why:
// either it needs something only a LogScale cluster has, or tiercel has not
// implemented it yet and what that would take. `tiercel check` shows the
// reason as the hint of its unsupported-function diagnostic; a test keeps
// every unimplemented function listed here.
var notRun = map[string]string{
	// Needs the LogScale cluster.
	"hashmatch":      "cannot run outside LogScale: its salt names a secret configured in the LogScale cluster, which tiercel cannot read",
	"hashrewrite":    "cannot run outside LogScale: its salt names a secret configured in the LogScale cluster, which tiercel cannot read",
	"beta:repeating": "cannot run outside LogScale: it marks a query for LogScale's repeating-query scheduler; run the query with tiercel hunt on a schedule instead",
	"eventinternals": "cannot run outside LogScale: it reports where the LogScale cluster stores the event (segment, block), which files have no counterpart for",
	// Not implemented yet.
	"parseuri":  "not implemented: its reference page does not name the fields it adds, so tiercel cannot match them; parseUrl() runs",
	"tokenhash": "not implemented: LogScale's reference page does not say how it tokenizes, so tiercel's hashes could not group what LogScale's group",
}
