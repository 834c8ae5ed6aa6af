package funcs

// Parsing and decoding functions, and the createEvents source.

// decoder is the shape shared by base64/url encoders and decoders.
func decoder(name, as, desc string) *Spec {
	return &Spec{Name: name, Kind: Transform, DefaultParam: "field", Value: true, Description: desc,
		Params: []Param{req("field", Field), asParam(as)}}
}

// withParams appends parameters to a spec built by a shape helper.
func withParams(s *Spec, ps ...Param) *Spec {
	s.Params = append(s.Params, ps...)
	return s
}

func init() {
	register(
		&Spec{Name: "kvParse", Kind: Transform, DefaultParam: "field",
			Description: "Extracts key=value pairs.",
			Params: []Param{
				opt("field", Fields, "@rawstring"),
				asParam(""),
				boolean("excludeEmpty", "false"),
				boolean("override", "false"),
				opt("separator", String, "="),
				enum("separatorPadding", "unknown", "unknown", "yes", "no"),
				enum("onDuplicate", "keepLast", "keepLast", "keepFirst"),
				opt("prefix", String, ""),
			}},
		&Spec{Name: "parseJson", Kind: Transform, DefaultParam: "field",
			Description: "Parses JSON into fields.",
			Params: []Param{
				opt("field", Field, "@rawstring"),
				opt("prefix", String, ""),
				opt("include", Strings, ""),
				opt("exclude", Strings, ""),
				boolean("excludeEmpty", "false"),
				enum("handleNull", "keep", "keep", "discard", "empty"),
				opt("removePrefixes", Strings, ""),
			}},
		&Spec{Name: "parseCsv", Kind: Transform, DefaultParam: "field",
			Description: "Parses comma-separated values into named fields.",
			Params: []Param{
				opt("field", Field, "@rawstring"),
				req("columns", Strings),
				opt("delimiter", String, ","),
				boolean("trim", "false"),
				boolean("excludeEmpty", "false"),
			}},
		&Spec{Name: "parseXml", Kind: Transform, DefaultParam: "field",
			Description: "Parses XML into fields.",
			Params:      []Param{opt("field", Field, "@rawstring"), opt("prefix", String, "")}},
		&Spec{Name: "parseUrl", Kind: Transform, DefaultParam: "field",
			Description: "Splits a URL into its parts.",
			Params:      []Param{opt("field", Field, "url"), asParam("")}},
		&Spec{Name: "parseUri", Kind: Transform, DefaultParam: "field",
			Description: "Splits a URI into its parts.",
			Params: []Param{
				req("field", Field),
				opt("defaultBase", String, ""),
				opt("prefix", String, ""),
			}},
		&Spec{Name: "parseCEF", Kind: Transform, DefaultParam: "field",
			Description: "Parses Common Event Format messages.",
			Params: []Param{
				opt("field", Field, "@rawstring"),
				opt("prefix", String, "cef.ext."),
				opt("headerprefix", String, "cef."),
				opt("labelprefix", String, "cef.label."),
				boolean("keepLabels", "false"),
			}},
		&Spec{Name: "parseLEEF", Kind: Transform, DefaultParam: "field",
			Description: "Parses Log Event Extended Format (LEEF 1.0 and 2.0) messages.",
			Params: []Param{
				opt("field", Field, "@rawstring"),
				opt("prefix", String, "leef.ext."),
				opt("headerprefix", String, "leef."),
				opt("labelprefix", String, "leef.label."),
				boolean("keeplabels", "false"),
				opt("delimiter", String, ""),
				boolean("parsetime", "true"),
				opt("timezone", String, "Z"),
			}},
		&Spec{Name: "writeJson", Kind: Transform, DefaultParam: "field", Value: true,
			Description: "Writes fields as one JSON object.",
			Params:      []Param{opt("field", Fields, "@rawstring"), asParam("_json")}},
		&Spec{Name: "parseHexString", Kind: Transform, DefaultParam: "field", Value: true,
			Description: "Decodes a hex string into text.",
			Params: []Param{
				req("field", Field),
				asParam("_parsehexstring"),
				enum("charset", "UTF-8", "ISO-8859-1", "UTF-16BE", "UTF-16LE", "UTF-8"),
			}},
		&Spec{Name: "parseInt", Kind: Transform, DefaultParam: "field",
			Description: "Converts an integer from another radix to decimal.",
			Params: []Param{
				req("field", Field),
				asParam(""),
				enum("endian", "big", "big", "little"),
				opt("radix", Number, "16"),
			}},
		&Spec{Name: "json:prettyPrint", Kind: Transform, DefaultParam: "field",
			Description: "Re-formats JSON text with indentation.",
			Params: []Param{
				opt("field", Field, "@rawstring"),
				asParam(""),
				opt("step", Number, "2"),
				boolean("strict", "false"),
			}},
		withParams(decoder("base64Decode", "_base64Decode", "Decodes base64."),
			opt("charset", String, "UTF-8")),
		decoder("base64Encode", "_base64Encode", "Encodes base64."),
		decoder("urlDecode", "_urldecode", "Decodes URL percent-encoding."),
		decoder("urlEncode", "_urlencode", "Applies URL percent-encoding."),
		&Spec{Name: "eventFieldCount", Kind: Transform, DefaultParam: "as", Value: true,
			Description: "Number of fields of the event.",
			Params:      []Param{asParam("_eventFieldCount")}},
		&Spec{Name: "eventSize", Kind: Transform, DefaultParam: "as", Value: true,
			Description: "Bytes of the event's values.",
			Params:      []Param{asParam("_eventSize")}},
		&Spec{Name: "eventInternals", Kind: Transform, DefaultParam: "prefix",
			Description: "Where LogScale stores the event.",
			Params:      []Param{opt("prefix", String, "")}},
		&Spec{Name: "copyEvent", Kind: Transform, DefaultParam: "type",
			Description: "Duplicates the event; the copy gets #type.",
			Params:      []Param{req("type", String)}},
		&Spec{Name: "createEvents", Kind: Source, DefaultParam: "rawstring",
			Description: "Creates events from strings.",
			Params:      []Param{req("rawstring", Strings)}},
	)
}
