package engine

import (
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

func init() {
	registerFunc("drop", &funcImpl{params: []string{"fields"}, step: compileDrop})
	registerFunc("select", &funcImpl{params: []string{"fields"}, step: compileSelect})
	registerFunc("rename", &funcImpl{params: []string{"field", "as"}, step: compileRename})
	registerFunc("default", &funcImpl{params: []string{"value", "field", "replaceEmpty"}, step: compileDefault})
	registerFunc("eval", &funcImpl{evalLike: true})
}

// dropStep removes fields.
type dropStep struct{ fields []string }

func (s *dropStep) apply(_ *exec, ev *event.Event) bool {
	for _, f := range s.fields {
		ev.Delete(f)
	}
	return true
}

func (s *dropStep) writes() []string { return s.fields }

func compileDrop(c *compiler, a *args) (any, error) {
	fields, err := a.fieldList("fields")
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		// tiercel dialect: drop() with no fields drops the event, like
		// dropEvent() (the parser warns about it).
		return testStep{constTester(false)}, nil
	}
	return &dropStep{fields: fields}, nil
}

// selectStep keeps only the listed fields, in the listed order.
type selectStep struct{ fields []string }

func (s *selectStep) apply(x *exec, ev *event.Event) bool {
	x.sel = ev.AppendFields(x.sel[:0])
	ev.RestoreFields(nil)
	for _, f := range s.fields {
		for _, fl := range x.sel {
			if fl.Name == f {
				ev.Set(f, fl.Value)
				break
			}
		}
	}
	return true
}

func (s *selectStep) writes() []string { return nil }

func compileSelect(c *compiler, a *args) (any, error) {
	fields, err := a.readFields("fields")
	if err != nil {
		return nil, err
	}
	c.projected = fields
	return &selectStep{fields: fields}, nil
}

// renameStep moves values to new names.
type renameStep struct{ pairs [][2]string }

func (s *renameStep) apply(_ *exec, ev *event.Event) bool {
	for _, p := range s.pairs {
		ev.Rename(p[0], p[1])
	}
	return true
}

func (s *renameStep) writes() []string {
	var out []string
	for _, p := range s.pairs {
		out = append(out, p[0], p[1])
	}
	return out
}

func compileRename(c *compiler, a *args) (any, error) {
	e, ok := a.vals["field"]
	if !ok {
		return nil, a.errorf("field", "missing required parameter field")
	}
	var pairs [][2]string
	if arr, isArr := e.(*cql.ArrayExpr); isArr && len(arr.Elems) > 0 {
		if _, nested := cql.Unparen(arr.Elems[0]).(*cql.ArrayExpr); nested {
			for _, el := range arr.Elems {
				pair, ok := cql.Unparen(el).(*cql.ArrayExpr)
				if !ok || len(pair.Elems) != 2 {
					return nil, a.errorf("field", "each rename pair must be [old, new]")
				}
				from, ok1 := a.text(cql.Unparen(pair.Elems[0]))
				to, ok2 := a.text(cql.Unparen(pair.Elems[1]))
				if !ok1 || !ok2 {
					return nil, a.errorf("field", "rename pairs must hold field names")
				}
				pairs = append(pairs, [2]string{from, to})
			}
		}
	}
	if pairs == nil {
		fields, err := a.fieldList("field")
		if err != nil {
			return nil, err
		}
		if len(fields) != 1 {
			return nil, a.errorf("field", "rename a list of fields with pairs: field=[[old, new], ...]")
		}
		from := fields[0]
		to := a.asOr("")
		if to == "" {
			return nil, a.errorf("as", "missing required parameter as")
		}
		pairs = [][2]string{{from, to}}
	}
	for _, p := range pairs {
		c.read(p[0])
	}
	return &renameStep{pairs: pairs}, nil
}

// defaultStep sets fields that are missing (or empty with replaceEmpty).
type defaultStep struct {
	fields       []string
	value        string
	replaceEmpty bool
}

func (s *defaultStep) apply(_ *exec, ev *event.Event) bool {
	for _, f := range s.fields {
		v, ok := ev.Get(f)
		if !ok || (s.replaceEmpty && v == "") {
			ev.Set(f, s.value)
		}
	}
	return true
}

func (s *defaultStep) writes() []string { return s.fields }

func compileDefault(c *compiler, a *args) (any, error) {
	value, err := a.required("value")
	if err != nil {
		return nil, err
	}
	fields, err := a.fieldList("field")
	if err != nil {
		return nil, err
	}
	if a.as != "" {
		fields = append(fields, a.as)
	}
	if len(fields) == 0 {
		return nil, a.errorf("field", "missing required parameter field")
	}
	for _, f := range fields {
		c.read(f)
	}
	re, err := a.boolean("replaceEmpty", false)
	if err != nil {
		return nil, err
	}
	return &defaultStep{fields: fields, value: value, replaceEmpty: re}, nil
}

// evalStep is eval(a = expr, b = expr, ...), assigned left to right.
type evalStep struct{ assigns []*assignStep }

func (s *evalStep) apply(x *exec, ev *event.Event) bool {
	for _, as := range s.assigns {
		as.apply(x, ev)
	}
	return true
}

func (s *evalStep) writes() []string {
	out := make([]string, len(s.assigns))
	for i, as := range s.assigns {
		out[i] = as.field
	}
	return out
}

// compileEvalCall compiles eval(): every argument is `field = expr`, so it
// binds its own arguments.
func (c *compiler) compileEvalCall(call *cql.Call) (any, error) {
	st := &evalStep{}
	for _, arg := range call.Args {
		field, value := arg.Name, arg.Value
		if field == "" {
			be, ok := cql.Unparen(arg.Value).(*cql.BinaryExpr)
			fn, isField := exprField(be)
			if !ok || be.Op != "=" || !isField {
				return nil, c.errAt(arg.Span(), "invalid-argument", "eval() arguments are field = expression")
			}
			field, value = fn, be.Y
		}
		e, err := c.compileExpr(value)
		if err != nil {
			return nil, err
		}
		st.assigns = append(st.assigns, &assignStep{field: field, e: e})
	}
	return st, nil
}

func exprField(be *cql.BinaryExpr) (string, bool) {
	if be == nil {
		return "", false
	}
	f, ok := be.X.(*cql.FieldName)
	if !ok {
		return "", false
	}
	return f.Name, true
}
