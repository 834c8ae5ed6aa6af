package funcs

// Lookups, joins, ad-hoc tables and correlation.

func init() {
	register(
		&Spec{Name: "match", Kind: Filter, DefaultParam: "file", Negatable: true,
			Description: "Joins events with rows of a lookup file or ad-hoc table.",
			Params: []Param{
				opt("file", String, ""),
				opt("table", String, ""),
				req("field", Fields),
				opt("column", Strings, ""),
				opt("include", Strings, ""),
				boolean("strict", "true"),
				enum("mode", "string", "string", "glob", "cidr"),
				boolean("ignoreCase", "false"),
				{Name: "nrows", Type: Number, Default: "1", Max: true},
				boolean("glob", "false"),
			}},
		&Spec{Name: "join", Kind: Filter, DefaultParam: "query",
			Description: "Joins events with the rows of a sub-query.",
			Params: []Param{
				req("query", Query),
				req("field", Fields),
				opt("key", Fields, ""),
				opt("include", Strings, ""),
				enum("mode", "inner", "inner", "left"),
				opt("max", Number, "1"),
				{Name: "limit", Type: Number, Default: "100000"},
				opt("repo", String, ""),
				opt("view", String, ""),
				opt("start", String, ""),
				opt("end", String, ""),
				boolean("live", "false"),
			}},
		&Spec{Name: "defineTable", Kind: Preamble, DefaultParam: "query",
			Description: "Runs a sub-query into an ad-hoc table for match() and readFile().",
			Params: []Param{
				req("query", Query),
				req("name", String),
				req("include", Strings),
				opt("start", String, ""),
				opt("end", String, ""),
				opt("view", String, ""),
			}},
		&Spec{Name: "readFile", Kind: Source, DefaultParam: "file",
			Description: "Emits the rows of lookup files or ad-hoc tables as events.",
			Params: []Param{
				req("file", Strings),
				opt("include", Strings, ""),
				opt("limit", Number, ""),
			}},
		&Spec{Name: "selfJoinFilter", Kind: Filter, DefaultParam: "field",
			Description: "Keeps events whose key has events satisfying every where-clause.",
			Params: []Param{
				req("field", Fields),
				req("where", Queries),
				boolean("prefilter", "false"),
			}},
		&Spec{Name: "ioc:lookup", Kind: Transform, DefaultParam: "field",
			Description: "Annotates events whose fields match CrowdStrike IOCs.",
			Params: []Param{
				req("field", Fields),
				{Name: "type", Type: Enum, Required: true, Enum: []string{"ip_address", "url", "domain"}},
				enum("confidenceThreshold", "high", "unverified", "low", "medium", "high"),
				opt("include", Strings, ""),
				opt("prefix", String, "ioc"),
				boolean("strict", "false"),
			}},
		// correlate's named nodes are positional CorrelateNode arguments, so
		// it has no default parameter.
		&Spec{Name: "correlate", Kind: Aggregate,
			Description: "Finds constellations of events matching linked sub-queries.",
			Params: []Param{
				boolean("sequence", "false"),
				opt("within", Duration, ""),
				opt("globalConstraints", Fields, ""),
				opt("root", String, ""),
				opt("maxPerRoot", Number, "1"),
				boolean("includeConstraintValues", "true"),
				boolean("includeMatchesOnceOnly", "false"),
				opt("iterationLimit", Number, "5"),
				opt("jitterTolerance", Duration, ""),
				opt("sequenceBy", Fields, ""),
			}},
	)
}
