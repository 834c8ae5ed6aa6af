package funcs

// Numeric functions: rounding, math:*, unit conversion and bit fields.

// mathFn is the shape shared by the one-argument math:* functions.
func mathFn(name, as, desc string) *Spec {
	return &Spec{Name: name, Kind: Transform, DefaultParam: "field", Value: true, Description: desc,
		Params: []Param{req("field", Field), asParam(as)}}
}

func init() {
	register(
		&Spec{Name: "round", Kind: Transform, DefaultParam: "field", Value: true,
			Description: "Rounds a number.",
			Params: []Param{
				req("field", Field),
				enum("how", "round", "round", "ceil", "floor"),
				asParam(""),
			}},
		mathFn("math:abs", "_abs", "Absolute value."),
		mathFn("math:ceil", "_ceil", "Rounds up."),
		mathFn("math:floor", "_floor", "Rounds down."),
		mathFn("math:sqrt", "_sqrt", "Square root."),
		mathFn("math:exp", "_exp", "e raised to the value."),
		mathFn("math:log", "_log", "Natural logarithm."),
		mathFn("math:log10", "_log10", "Base-10 logarithm."),
		mathFn("math:log2", "_log2", "Base-2 logarithm."),
		mathFn("math:sin", "_sin", "Sine."),
		mathFn("math:cos", "_cos", "Cosine."),
		mathFn("math:tan", "_tan", "Tangent."),
		mathFn("math:arccos", "_arccos", "Arc cosine."),
		mathFn("math:arcsin", "_arcsin", "Arc sine."),
		mathFn("math:arctan", "_arctan", "Arc tangent."),
		mathFn("math:cosh", "_cosh", "Hyperbolic cosine."),
		mathFn("math:sinh", "_sinh", "Hyperbolic sine."),
		mathFn("math:tanh", "_tanh", "Hyperbolic tangent."),
		mathFn("math:deg2rad", "_deg2rad", "Degrees to radians."),
		mathFn("math:rad2deg", "_rad2deg", "Radians to degrees."),
		mathFn("math:expm1", "_expm1", "e raised to the value, minus 1."),
		mathFn("math:log1p", "_log1p", "Natural logarithm of 1 plus the value."),
		&Spec{Name: "math:arctan2", Kind: Transform, Value: true,
			Description: "Angle of the point (x, y).",
			Params:      []Param{req("x", Field), req("y", Field), asParam("_arctan2")}},
		&Spec{Name: "math:pow", Kind: Transform, DefaultParam: "field", Value: true,
			Description: "Raises a value to a power.",
			Params:      []Param{req("field", Field), req("exponent", Number), asParam("_pow")}},
		&Spec{Name: "unit:convert", Kind: Transform, DefaultParam: "field",
			Description: "Converts values between units.",
			Params: []Param{
				req("field", Field),
				asParam(""),
				opt("from", String, ""),
				opt("to", String, ""),
				boolean("binary", "false"),
				boolean("keepUnit", "false"),
				opt("unit", String, ""),
			}},
		&Spec{Name: "bitfield:extractFlags", Kind: Transform,
			Description: "Decodes bits of an integer into boolean fields.",
			Params: []Param{
				req("field", Field),
				boolean("onlyTrue", "false"),
				req("output", Pairs),
			}},
		&Spec{Name: "bitfield:extractFlagsAsArray", Kind: Transform,
			Description: "Decodes the set bits of an integer into an array of names.",
			Params: []Param{
				req("field", Field),
				opt("asArray", String, "_flags[]"),
				req("flagNames", Pairs),
			}},
		&Spec{Name: "bitfield:extractFlagsAsString", Kind: Transform,
			Description: "Decodes the set bits of an integer into a string of names.",
			Params: []Param{
				req("field", Field),
				asParam("_flags"),
				req("flagNames", Pairs),
				opt("separator", String, " "),
			}},
	)
}
