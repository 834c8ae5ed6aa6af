package funcs

func init() {
	register(
		&Spec{Name: "in", Kind: Filter, DefaultParam: "field", Negatable: true, Value: true,
			Description: "Keeps events whose field equals one of the values (globs allowed).",
			Params: []Param{
				req("field", Field),
				req("values", Strings),
				boolean("ignoreCase", "false"),
			}},
		&Spec{Name: "regex", Kind: Filter, DefaultParam: "regex", Negatable: true, Value: true,
			Description: "Matches a regular expression against a field and extracts named groups.",
			Params: []Param{
				req("regex", Regex),
				opt("field", Field, "@rawstring"),
				opt("flags", RegexFlags, "m"),
				boolean("strict", "true"),
				boolean("repeat", "false"),
				{Name: "limit", Type: Number, Default: "100"},
			}},
		&Spec{Name: "wildcard", Kind: Filter, DefaultParam: "pattern", Negatable: true, Value: true,
			Description: "Matches a glob pattern against fields, or free text when no field is given.",
			Params: []Param{
				req("pattern", String),
				opt("field", Fields, ""),
				boolean("ignoreCase", "false"),
				boolean("includeEverythingOnAsterisk", "false"),
			}},
		&Spec{Name: "test", Kind: Filter, DefaultParam: "expression", Negatable: true, Value: true,
			Description: "Keeps events for which the expression is true.",
			Params:      []Param{req("expression", ExpressionArg)}},
		&Spec{Name: "cidr", Kind: Filter, DefaultParam: "field", Negatable: true, Value: true,
			Description: "Keeps events whose IP address field lies in one of the subnets.",
			Params: []Param{
				req("field", Field),
				opt("subnet", Strings, ""),
				opt("file", String, ""),
				opt("column", String, ""),
				boolean("negate", "false"),
			}},
		&Spec{Name: "dropEvent", Kind: Filter,
			Description: "Drops the event (in a search it is the same as false)."},
		&Spec{Name: "sample", Kind: Filter, DefaultParam: "percentage",
			Description: "Keeps a pseudo-random percentage of events.",
			Params: []Param{
				opt("percentage", Number, "1"),
				opt("field", Field, "@timestamp"),
			}},
		&Spec{Name: "text:contains", Kind: Filter, DefaultParam: "string", Negatable: true, Value: true,
			Description: "Tests whether a string contains a substring.",
			Params: []Param{
				req("string", ExpressionArg),
				req("substring", ExpressionArg),
			}},
		&Spec{Name: "hashMatch", Kind: Filter, DefaultParam: "input",
			Description: "Matches events by a secure hash of a field.",
			Params: []Param{
				req("input", String),
				opt("field", Fields, ""),
				opt("bits", Number, ""),
				opt("hash", String, ""),
				req("salt", String),
			}},
	)
}
