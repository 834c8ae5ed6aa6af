package funcs

// implemented lists, lower-cased, the functions tiercel's engine runs. It is
// the single place to flip when the engine gains a function; the engine's
// tests check that the catalog and the engine agree.
var implemented = map[string]bool{
	// filters
	"in": true, "regex": true, "wildcard": true, "test": true, "cidr": true,
	"dropevent": true, "match": true,
	// result shaping
	"table": true, "select": true, "sort": true, "head": true, "tail": true,
	"drop": true, "rename": true,
	// aggregates
	"groupby": true, "count": true, "sum": true, "avg": true, "min": true,
	"max": true, "top": true, "stats": true, "collect": true,
	// field computation
	"default": true, "lower": true, "upper": true, "length": true,
	"concat": true, "format": true, "replace": true, "splitstring": true,
	"formattime": true, "eval": true, "if": true, "coalesce": true, "now": true,
	// time buckets, row selection and widgets (engine/fn_timechart.go, fn_select.go, fn_sankey.go)
	"timechart": true, "bucket": true, "duration": true,
	"selectlast": true, "selectfrommax": true, "selectfrommin": true, "sankey": true,
	// numbers, text and decoding (engine/fn_math.go, fn_text.go, fn_decode.go)
	"round": true, "math:abs": true, "math:ceil": true, "math:floor": true, "math:sqrt": true,
	"math:exp": true, "math:log": true, "math:log10": true, "math:log2": true, "math:sin": true,
	"math:cos": true, "math:tan": true, "math:pow": true,
	"text:contains": true, "text:startswith": true, "text:endswith": true, "text:length": true,
	"text:substring": true, "shannonentropy": true, "getfield": true, "setfield": true,
	"base64decode": true, "base64encode": true, "urldecode": true, "urlencode": true, "parseint": true,
	// joins, tables and sources
	"selfjoinfilter": true, "correlate": true, "join": true, "definetable": true, "readfile": true,
	// arrays (engine/fn_array.go)
	"array:contains": true, "array:length": true, "array:regex": true, "array:append": true,
	"array:drop": true, "array:dedup": true, "array:filter": true, "array:reduceall": true,
	"concatarray": true, "split": true,
	// parsers (engine/fn_parse.go)
	"parsejson": true, "kvparse": true, "json:prettyprint": true,
	// time (engine/fn_timeparts.go, fn_timeparse.go)
	"parsetimestamp": true, "formatduration": true, "time:year": true, "time:month": true,
	"time:monthname": true, "time:dayofmonth": true, "time:dayofyear": true, "time:hour": true,
	"time:minute": true, "time:second": true, "time:millisecond": true, "time:dayofweek": true,
	"time:dayofweekname": true, "time:weekofyear": true,
	// sources (engine/fn_create.go)
	"createevents": true,
	// units and statistics (engine/fn_unit.go, fn_stats.go)
	"unit:convert": true, "stddev": true, "range": true, "percentile": true,
	// digests, geography, parser helpers (engine/fn_crypto.go, fn_geo.go, fn_text.go)
	"crypto:md5": true, "crypto:sha1": true, "crypto:sha256": true, "geography:distance": true,
	"lowercase": true, "parsexml": true, "findtimestamp": true, "array:exists": true,
	"bitfield:extractflags": true, "neighbor": true,
	// outside data: GeoIP (engine/fn_geoip.go)
	"iplocation": true, "asn": true, "geohash": true, "worldmap": true,
	// outside data: indicator store (engine/fn_ioc.go)
	"ioc:lookup": true,
	// reverse DNS behind --allow-dns (engine/fn_dns.go)
	"rdns": true, "reversedns": true,
	// network, hashing, interval, field listing, URLs, hex (engine/fn_network.go,
	// fn_hash.go, fn_interval.go, fn_fieldset.go, fn_url.go, fn_hexstring.go)
	"communityid": true, "subnet": true, "hash": true, "start": true, "end": true,
	"fieldset": true, "parseurl": true, "parsehexstring": true, "settimeinterval": true,
	// sequences and reshaping (engine/fn_series.go, fn_transpose.go)
	"series": true, "transpose": true,
	// per-element pipelines and sorting (engine/fn_objectarray.go)
	"objectarray:exists": true, "objectarray:eval": true, "array:eval": true, "array:sort": true,
	// more parsers and JSON output (engine/fn_csv.go, fn_cef.go, fn_writejson.go)
	"parsecsv": true, "parsecef": true, "parseleef": true, "writejson": true,
	// sequence functions (engine/fn_sequence.go)
	"accumulate": true, "slidingwindow": true, "slidingtimewindow": true, "partition": true, "session": true,
	// bit names, array sets, regression (engine/fn_bitfield.go, fn_arrayset.go, fn_linreg.go)
	"bitfield:extractflagsasarray": true, "bitfield:extractflagsasstring": true,
	"array:union": true, "array:intersection": true, "linreg": true,
	"array:reducerow": true, "array:reducecolumn": true, "sample": true,
	// inverse, hyperbolic and conversion math (engine/fn_mathtrig.go)
	"math:arccos": true, "math:arcsin": true, "math:arctan": true, "math:arctan2": true,
	"math:cosh": true, "math:sinh": true, "math:tanh": true, "math:deg2rad": true,
	"math:rad2deg": true, "math:expm1": true, "math:log1p": true,
	// event information (engine/fn_eventinfo.go)
	"eventfieldcount": true, "eventsize": true, "copyevent": true, "fieldstats": true,
	"window":     true, // engine/fn_window.go, inside timeChart()/bucket()
	"percentage": true, "selfjoin": true,
}
