package check

import (
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/funcs"
)

// dialectForm reports calls that are tiercel dialect extensions rather than
// mistakes: the parser already reports them (a warning, or an error under
// cql.Strict; design §4), so the checker does not report them again.
//
//   - drop() with no fields means "drop the event" (dropEvent() in
//     LogScale, which itself requires fields).
func dialectForm(spec *funcs.Spec, call *cql.Call) bool {
	return strings.EqualFold(spec.Name, "drop") && len(call.Args) == 0
}
