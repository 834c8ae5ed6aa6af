package funcs

// Field computation through expressions, conditionals and defaults.

func init() {
	register(
		&Spec{Name: "eval", Kind: Transform, OpenParams: true,
			Description: "Assigns expressions to fields: eval(f = expr, ...)."},
		&Spec{Name: "if", Kind: Expression, DefaultParam: "condition", Value: true,
			Description: "Chooses between two expressions by a condition.",
			Params: []Param{
				req("condition", ExpressionArg),
				req("then", ExpressionArg),
				req("else", ExpressionArg),
				asParam("_if"),
			}},
		&Spec{Name: "coalesce", Kind: Expression, DefaultParam: "expressions", Value: true,
			Description: "First expression with a (non-empty) value.",
			Params: []Param{
				req("expressions", ExpressionArg),
				boolean("ignoreEmpty", "true"),
				asParam("_coalesce"),
			}},
		&Spec{Name: "getField", Kind: Expression, DefaultParam: "source", Value: true,
			Description: "Value of the field whose name an expression yields.",
			Params:      []Param{req("source", ExpressionArg), asParam("_getField")}},
		&Spec{Name: "setField", Kind: Transform,
			Description: "Sets the field an expression names to a value.",
			Params:      []Param{req("target", ExpressionArg), req("value", ExpressionArg)}},
		&Spec{Name: "default", Kind: Transform, DefaultParam: "value",
			Description: "Sets fields to a value when they are missing (or empty).",
			Params: []Param{
				req("value", Any),
				req("field", Fields),
				boolean("replaceEmpty", "false"),
			}},
		&Spec{Name: "beta:repeating", Kind: Preamble, DefaultParam: "interval",
			Description: "Makes a static query repeat on an interval.",
			Params:      []Param{req("interval", Duration), opt("maxWait", Duration, "")}},
	)
}
