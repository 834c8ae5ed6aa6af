package ingest

import (
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// Classify tells what an FDR object holds from its path, the way FDR
// consumers do it: any path segment named aidmaster or userinfo marks that
// lookup; anything else under fdrv2/ is another lookup; the rest is telemetry.
func Classify(path string) event.Kind {
	kind := event.KindTelemetry
	for seg := range strings.FieldsFuncSeq(path, isPathSeparator) {
		switch seg {
		case "aidmaster":
			return event.KindAidmaster
		case "userinfo":
			return event.KindUserinfo
		case "fdrv2", "managedassets", "notmanaged", "appinfo":
			kind = event.KindOtherLookup
		}
	}
	return kind
}

// isPathSeparator accepts both separators so S3 keys and Windows paths classify alike.
func isPathSeparator(r rune) bool { return r == '/' || r == '\\' }
