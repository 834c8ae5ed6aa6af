package funcs

// Small constructors keep the family files readable: one line per parameter.

// req is a required parameter.
func req(name string, t ParamType) Param { return Param{Name: name, Type: t, Required: true} }

// opt is an optional parameter with its documented default ("" when none).
func opt(name string, t ParamType, def string) Param {
	return Param{Name: name, Type: t, Default: def}
}

// asParam is the usual output-field parameter.
func asParam(def string) Param { return opt("as", String, def) }

// limit is a row limit that accepts "max".
func limit(def string) Param { return Param{Name: "limit", Type: Number, Default: def, Max: true} }

// enum is an optional enumerated parameter.
func enum(name, def string, values ...string) Param {
	return Param{Name: name, Type: Enum, Default: def, Enum: values}
}

// multiEnum is an enumerated parameter that also accepts an array of values.
func multiEnum(name, def string, values ...string) Param {
	p := enum(name, def, values...)
	p.Multi = true
	return p
}

// boolean is an optional boolean parameter.
func boolean(name, def string) Param { return opt(name, Bool, def) }

// sortTypes are the value interpretations sort() and table() accept; "any"
// is deprecated but still accepted.
var sortTypes = []string{"number", "string", "hex", "any"}
