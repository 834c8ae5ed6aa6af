package ui

import (
	"encoding/json"
	"net/http"
	"unicode/utf16"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/funcs"
)

// maxQueryBytes bounds a query sent by the page.
const maxQueryBytes = 1 << 20

type functionParam struct {
	Name     string `json:"name"`
	Required bool   `json:"required,omitempty"`
	Default  string `json:"default,omitempty"`
	Type     string `json:"type"`
}

type functionInfo struct {
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	Doc          string          `json:"doc,omitempty"`
	Implemented  bool            `json:"implemented"`
	DefaultParam string          `json:"defaultParam,omitempty"`
	Params       []functionParam `json:"params"`
}

// functions lists the catalog for the editor's completion.
func (s *Server) functions(w http.ResponseWriter, _ *http.Request) {
	var out []functionInfo
	for _, spec := range funcs.All() {
		fi := functionInfo{Name: spec.Name, Description: spec.Description, Doc: spec.Doc, Implemented: spec.Implemented, DefaultParam: spec.DefaultParam, Params: []functionParam{}}
		for _, p := range spec.Params {
			fi.Params = append(fi.Params, functionParam{Name: p.Name, Required: p.Required, Default: p.Default, Type: p.Type.String()})
		}
		out = append(out, fi)
	}
	writeJSON(w, http.StatusOK, out)
}

// diagnostic is a cql.Diagnostic for the editor: From/To are UTF-16 offsets
// (what the browser's strings count), Line/Col as `tiercel check` prints.
type diagnostic struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
	From     int    `json:"from"`
	To       int    `json:"to"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
}

func toDiagnostics(src string, ds cql.Diagnostics) []diagnostic {
	out := make([]diagnostic, 0, len(ds))
	for _, d := range ds {
		line, col := cql.LineCol(src, d.Span.Start)
		out = append(out, diagnostic{
			Severity: d.Severity.String(), Code: d.Code, Message: d.Message, Hint: d.Hint,
			From: utf16Offset(src, int(d.Span.Start)), To: utf16Offset(src, int(d.Span.End)),
			Line: line, Col: col,
		})
	}
	return out
}

// utf16Offset converts a byte offset in src to a UTF-16 code unit offset.
func utf16Offset(src string, b int) int {
	if b < 0 {
		return 0
	}
	if b > len(src) {
		b = len(src)
	}
	n := 0
	for _, r := range src[:b] {
		n += utf16.RuneLen(r)
	}
	return n
}

func readQuery(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxQueryBytes)).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad request body: "+err.Error())
		return false
	}
	return true
}

// check returns the diagnostics `tiercel check` would print.
func (s *Server) check(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Query string `json:"query"`
	}
	if !readQuery(w, r, &body) {
		return
	}
	ds := s.opts.Check(body.Query)
	writeJSON(w, http.StatusOK, map[string]any{"ok": !ds.HasErrors(), "diagnostics": toDiagnostics(body.Query, ds)})
}
