package funcs

import "testing"

// Functions called in the shared corpus of real queries and named in
// spec/cql.md §7: the catalog must know every one of them.
var mustKnow = []string{
	// corpus
	"array:append", "array:contains", "array:dedup", "array:drop", "array:eval", "array:exists",
	"array:filter", "array:length", "array:reduceAll", "array:regex", "asn", "avg", "base64Decode",
	"bitfield:extractFlags", "bucket", "cidr", "coalesce", "collect", "communityId", "concat",
	"concatArray", "correlate", "count", "createEvents", "crypto:md5", "crypto:sha1",
	"crypto:sha256", "default", "defineTable", "drop", "dropEvent", "duration", "end", "eval",
	"fieldset", "fieldstats", "findTimestamp", "format", "formatDuration", "formatTime",
	"geography:distance", "geohash", "getField", "groupBy", "hash", "head", "if", "in",
	"ioc:lookup", "ipLocation", "join", "json:prettyPrint", "kvParse", "length", "lower",
	"lowercase", "match", "math:floor", "max", "min", "neighbor", "now", "objectArray:eval",
	"objectArray:exists", "parseCEF", "parseCsv", "parseHexString", "parseInt", "parseJson",
	"parseTimestamp", "parseUrl", "parseXml", "percentile", "rdns", "readFile", "regex", "rename",
	"replace", "reverseDns", "round", "sankey", "select", "selectFromMax", "selectFromMin",
	"selectLast", "selfJoinFilter", "series", "session", "setField", "setTimeInterval",
	"shannonEntropy", "slidingTimeWindow", "sort", "split", "splitString", "start", "stats",
	"stdDev", "sum", "table", "tail", "test", "text:contains", "time:dayOfWeek",
	"time:dayOfWeekName", "time:dayOfYear", "time:hour", "timeChart", "top", "transpose",
	"unit:convert", "upper", "urlDecode", "wildcard", "window", "worldMap",
	// spec §7 only
	"range", "accumulate", "sample", "text:length", "text:substring", "parseUri", "math:abs",
	"selfJoin", "percentage", "linReg", "partition", "slidingWindow", "tokenHash", "subnet",
	"base64Encode", "urlEncode", "array:sort", "array:union", "array:intersection",
	"beta:repeating",
}

func TestCatalogCoversCorpusAndSpec(t *testing.T) {
	for _, name := range mustKnow {
		s, ok := Lookup(name)
		if !ok {
			t.Errorf("%s: missing from the catalog", name)
			continue
		}
		if s.Name != name {
			t.Errorf("%s: catalog spells it %s", name, s.Name)
		}
	}
	n, impl := len(All()), 0
	for _, s := range All() {
		if s.Implemented {
			impl++
		}
	}
	if n < len(mustKnow) {
		t.Errorf("catalog has %d functions, fewer than the %d required", n, len(mustKnow))
	}
	t.Logf("catalog: %d functions, %d implemented", n, impl)
}
