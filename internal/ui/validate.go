package ui

import (
	"bytes"
	"context"
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

// validateSensors runs `tiercel validate --sensor all`: the seed rule over
// each sensor's log of the same activity, and the expected signals.
func (s *Server) validateSensors(w http.ResponseWriter, r *http.Request) {
	if s.opts.ValidateSensors == nil {
		writeError(w, http.StatusNotFound, "per-sensor validation is not available here")
		return
	}
	s.cachedReport(w, r, &s.sensors, func(ctx context.Context, buf *bytes.Buffer) error {
		rep, err := s.opts.ValidateSensors(ctx)
		if err != nil {
			return err
		}
		return validate.WriteSensorsJSON(buf, rep)
	})
}

// cachedReport answers with the cached report (?cached=1) or runs and
// caches a new one.
func (s *Server) cachedReport(w http.ResponseWriter, r *http.Request, c *validationCache, run func(context.Context, *bytes.Buffer) error) {
	if r.URL.Query().Get("cached") == "1" {
		c.mu.Lock()
		last := c.last
		c.mu.Unlock()
		if last != nil {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(last)
		} else {
			writeError(w, http.StatusNotFound, "no validation has run yet")
		}
		return
	}
	var buf bytes.Buffer
	if err := run(r.Context(), &buf); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	c.mu.Lock()
	c.last = append(json.RawMessage(nil), buf.Bytes()...)
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(buf.Bytes())
}

// validate runs `tiercel validate` (emulate, hunt, compare) and returns its
// JSON report: the detection matrix and the false-positive table.
func (s *Server) validate(w http.ResponseWriter, r *http.Request) {
	if s.opts.Validate == nil {
		writeError(w, http.StatusNotFound, "validation is not available here")
		return
	}
	s.cachedReport(w, r, &s.validation, func(ctx context.Context, buf *bytes.Buffer) error {
		rep, err := s.opts.Validate(ctx)
		if err != nil {
			return err
		}
		return validate.WriteJSON(buf, rep)
	})
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
