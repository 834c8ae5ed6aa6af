package funcs

// implemented lists, lower-cased, the functions tiercel's engine runs. It is
// the single place to flip when the engine gains a function; the engine's
// tests check that the catalog and the engine agree.
var implemented = map[string]bool{
	// filters
	"in": true, "regex": true, "wildcard": true, "test": true, "cidr": true,
	"dropevent": true, "match": true, "selfjoinfilter": true,
	// result shaping
	"table": true, "select": true, "sort": true, "head": true, "tail": true,
	"drop": true, "rename": true,
	// aggregates
	"groupby": true, "count": true, "sum": true, "avg": true, "min": true,
	"max": true, "top": true, "stats": true, "collect": true,
	// field computation
	"default": true, "lower": true, "upper": true, "length": true,
	"concat": true, "format": true, "replace": true, "splitstring": true,
	"formattime": true, "eval": true, "if": true, "coalesce": true,
	// joins, tables and sources
	"correlate": true, "join": true, "definetable": true, "readfile": true,
}
