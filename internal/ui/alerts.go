package ui

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// statuses an analyst may set.
var statuses = map[string]bool{"new": true, "acknowledged": true, "closed": true}

func (s *Server) alertList(w http.ResponseWriter, r *http.Request) {
	if s.opts.Alerts == nil {
		writeJSON(w, http.StatusOK, map[string]any{"alerts": []Alert{}, "total": 0, "unavailable": true})
		return
	}
	q := r.URL.Query()
	f := AlertFilter{Rule: q.Get("rule"), Branch: q.Get("branch"), Host: q.Get("host"), User: q.Get("user"),
		Severity: q.Get("severity"), Status: q.Get("status")}
	now := time.Now()
	var err error
	if f.Since, err = ParseTime(q.Get("since"), now); err != nil {
		writeError(w, http.StatusBadRequest, "since: "+err.Error())
		return
	}
	if f.Until, err = ParseTime(q.Get("until"), now); err != nil {
		writeError(w, http.StatusBadRequest, "until: "+err.Error())
		return
	}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 1000
	}
	alerts, total, err := s.opts.Alerts.ListAlerts(r.Context(), f)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if alerts == nil {
		alerts = []Alert{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": alerts, "total": total})
}

func (s *Server) alertStatus(w http.ResponseWriter, r *http.Request) {
	if s.opts.Alerts == nil {
		writeError(w, http.StatusNotFound, "no alert store")
		return
	}
	var body struct {
		IDs    []string `json:"ids"`
		Status string   `json:"status"`
		Note   string   `json:"note"`
	}
	if !readQuery(w, r, &body) {
		return
	}
	if !statuses[body.Status] {
		writeError(w, http.StatusBadRequest, "status must be new, acknowledged or closed")
		return
	}
	if len(body.IDs) == 0 || len(body.IDs) > 10000 {
		writeError(w, http.StatusBadRequest, "give 1 to 10000 alert ids")
		return
	}
	if err := s.opts.Alerts.SetAlertStatus(r.Context(), body.IDs, body.Status, body.Note, "ui"); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "updated": len(body.IDs)})
}

// treeNode is one process around an alert.
type treeNode struct {
	PID         string `json:"pid"`
	ParentPID   string `json:"ppid"`
	Image       string `json:"image"`
	CommandLine string `json:"commandLine"`
	User        string `json:"user,omitempty"`
	Timestamp   string `json:"timestamp"`
	Depth       int    `json:"depth"`
	Focus       bool   `json:"focus,omitempty"`
}

// safeValue keeps ids that go into a generated query to what Falcon ids
// look like: 1 to 128 of [A-Za-z0-9_.:-]. A loop, not a regular
// expression: the bounded repeat compiled to 128 states at every start.
func safeValue(v string) bool {
	if len(v) == 0 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '_', c == '.', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// alertTree finds the alert's event in the store and the process tree around
// it: its ancestors and its children, from the host's ProcessRollup2 events.
func (s *Server) alertTree(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, aid := q.Get("id"), q.Get("aid")
	if !safeValue(id) || !safeValue(aid) {
		writeError(w, http.StatusBadRequest, "id and aid must be Falcon ids")
		return
	}
	ts, _ := strconv.ParseInt(q.Get("ts"), 10, 64)
	at := time.UnixMilli(ts)
	from, to := at.Add(-24*time.Hour), at.Add(time.Hour)
	if ts == 0 {
		from, to = time.Time{}, time.Time{}
	}
	evs, err := s.collect(r.Context(), `aid="`+aid+`" id="`+id+`" | head(1)`, from, to)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if len(evs) == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"event": nil, "tree": []treeNode{}})
		return
	}
	ev := evs[0]
	pid := ev["TargetProcessId"]
	if pid == "" {
		pid = ev["ContextProcessId"]
	}
	procs, err := s.collect(r.Context(), `#event_simpleName=ProcessRollup2 aid="`+aid+`" | head(limit=10000)`, from, to)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"event": ev, "tree": buildTree(procs, pid)})
}

// buildTree lists pid's ancestors (oldest first), pid, then its children.
func buildTree(procs []map[string]string, pid string) []treeNode {
	byPID := map[string]map[string]string{}
	for _, p := range procs {
		byPID[p["TargetProcessId"]] = p
	}
	node := func(p map[string]string, depth int) treeNode {
		return treeNode{PID: p["TargetProcessId"], ParentPID: p["ParentProcessId"], Image: p["ImageFileName"],
			CommandLine: p["CommandLine"], User: p["UserName"], Timestamp: p[event.Timestamp], Depth: depth}
	}
	var chain []map[string]string
	seen := map[string]bool{}
	for cur := byPID[pid]; cur != nil && !seen[cur["TargetProcessId"]] && len(chain) < 64; cur = byPID[cur["ParentProcessId"]] {
		seen[cur["TargetProcessId"]] = true
		chain = append(chain, cur)
	}
	out := []treeNode{}
	for i := len(chain) - 1; i >= 0; i-- {
		n := node(chain[i], len(chain)-1-i)
		n.Focus = i == 0
		out = append(out, n)
	}
	if len(chain) > 0 {
		for _, p := range procs {
			if p["ParentProcessId"] == pid && len(out) < 256 {
				out = append(out, node(p, len(chain)))
			}
		}
	}
	return out
}

// collect runs a query the server builds and returns its rows as maps.
func (s *Server) collect(ctx context.Context, query string, from, to time.Time) ([]map[string]string, error) {
	prep, diags, err := s.opts.Search(SearchRequest{Query: query, Start: from, End: to})
	if err != nil {
		return nil, err
	}
	if prep == nil {
		return nil, diagsError(diags)
	}
	var out []map[string]string
	_, err = prep.Run(ctx, func(ev *event.Event) {
		m := make(map[string]string, ev.Len())
		for _, f := range ev.Fields() {
			m[f.Name] = f.Value
		}
		out = append(out, m)
	}, nil, nil)
	return out, err
}
