package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/validate"
)

// validationCache keeps the last report so the page shows it without rerunning.
type validationCache struct {
	mu   sync.Mutex
	last json.RawMessage
}

// validate runs `tiercel validate` (emulate, hunt, compare) and returns its
// JSON report: the detection matrix and the false-positive table.
func (s *Server) validate(w http.ResponseWriter, r *http.Request) {
	if s.opts.Validate == nil {
		writeError(w, http.StatusNotFound, "validation is not available here")
		return
	}
	if r.URL.Query().Get("cached") == "1" {
		s.validation.mu.Lock()
		last := s.validation.last
		s.validation.mu.Unlock()
		if last != nil {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(last)
		} else {
			writeError(w, http.StatusNotFound, "no validation has run yet")
		}
		return
	}
	rep, err := s.opts.Validate(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	var buf bytes.Buffer
	if err := validate.WriteJSON(&buf, rep); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	s.validation.mu.Lock()
	s.validation.last = append(json.RawMessage(nil), buf.Bytes()...)
	s.validation.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(buf.Bytes())
}

// diagsError turns compile diagnostics into one error.
func diagsError(ds cql.Diagnostics) error {
	var msgs []string
	for _, d := range ds {
		if d.Severity == cql.SeverityError {
			msgs = append(msgs, d.Message)
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}
