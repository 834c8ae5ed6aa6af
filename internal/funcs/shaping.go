package funcs

// Result shaping: choosing, ordering and limiting rows and fields.

func init() {
	register(
		&Spec{Name: "table", Kind: Aggregate, DefaultParam: "fields",
			Description: "Shows the listed fields, one row per event, sorted and limited.",
			Params: []Param{
				req("fields", Fields),
				limit("200"),
				opt("sortby", Fields, "@timestamp"),
				multiEnum("order", "desc", "asc", "desc"),
				multiEnum("type", "number", sortTypes...),
				boolean("reverse", ""),
			}},
		&Spec{Name: "select", Kind: Transform, DefaultParam: "fields",
			Description: "Keeps only the listed fields of each event (streaming).",
			Params:      []Param{req("fields", Fields)}},
		&Spec{Name: "sort", Kind: Aggregate, DefaultParam: "field",
			Description: "Sorts rows by one or more fields and keeps the first limit rows.",
			Params: []Param{
				opt("field", Fields, "_count"),
				multiEnum("order", "desc", "asc", "desc"),
				multiEnum("type", "number", sortTypes...),
				limit("200"),
				boolean("reverse", ""),
			}},
		&Spec{Name: "head", Kind: Aggregate, DefaultParam: "limit",
			Description: "Keeps the oldest limit events.",
			Params:      []Param{limit("200")}},
		&Spec{Name: "tail", Kind: Aggregate, DefaultParam: "limit",
			Description: "Keeps the newest limit events.",
			Params:      []Param{limit("200")}},
		&Spec{Name: "drop", Kind: Transform, DefaultParam: "fields",
			Description: "Removes fields from every event.",
			Params:      []Param{req("fields", Fields)}},
		&Spec{Name: "rename", Kind: Transform, DefaultParam: "field",
			Description: "Renames a field, or several with field=[[old, new], ...].",
			Params: []Param{
				req("field", Any),
				opt("as", String, ""),
			}},
		&Spec{Name: "fieldstats", Kind: Aggregate,
			Description: "Reports which fields occur and how often.",
			Params:      []Param{limit("200")}},
		&Spec{Name: "fieldset", Kind: Aggregate,
			Description: "Lists the names of the fields seen in the events."},
		&Spec{Name: "transpose", Kind: Aggregate, DefaultParam: "pivot",
			Description: "Turns rows into columns.",
			Params: []Param{
				opt("pivot", Field, ""),
				opt("column", String, "column"),
				opt("header", Field, ""),
				{Name: "limit", Type: Number, Default: "5"},
			}},
	)
}
