package alert

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTest(t *testing.T) (*SQLStore, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "alerts.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func cand(rule, branch, eventID, host string) Candidate {
	return Candidate{Alert: Alert{
		ID: ID(rule, branch, eventID, ""), Rule: rule, Branch: branch, EventID: eventID,
		JSON: []byte(`{"rule":"` + rule + `","ComputerName":"` + host + `"}`),
	}}
}

func TestIDStable(t *testing.T) {
	a := ID("r", "b", "e1", "")
	if a != ID("r", "b", "e1", "other raw") {
		t.Error("the Falcon id must decide, not the raw line")
	}
	for _, other := range []string{ID("r", "c", "e1", ""), ID("q", "b", "e1", ""), ID("r", "b", "e2", ""), ID("r", "b", "", "e1")} {
		if other == a {
			t.Errorf("collision: %s", other)
		}
	}
	if ID("r", "b", "", "line1") == ID("r", "b", "", "line2") {
		t.Error("raw lines must decide without an id")
	}
}

func TestRecordDedupAndQueue(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	now := time.UnixMilli(1_700_000_000_000)
	res, err := s.Record(ctx, []Candidate{cand("r1", "A", "e1", "h1"), cand("r1", "A", "e1", "h1"), cand("r1", "B", "e1", "h1")}, []string{"hook", "file"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 2 || res.Duplicates != 1 {
		t.Fatalf("new %d dup %d, want 2 and 1", len(res.New), res.Duplicates)
	}
	// a replay after reopening is a duplicate too
	s.Close()
	s2, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	res, err = s2.Record(ctx, []Candidate{cand("r1", "A", "e1", "h1")}, []string{"hook"}, now)
	if err != nil || len(res.New) != 0 || res.Duplicates != 1 {
		t.Fatalf("replay: %+v %v", res, err)
	}
	due, err := s2.Due(ctx, now, 100)
	if err != nil || len(due) != 4 {
		t.Fatalf("due %d (%v), want 4 (2 alerts x 2 actions)", len(due), err)
	}
	if err := s2.Retry(ctx, due[0].ID, now.Add(time.Minute), "503"); err != nil {
		t.Fatal(err)
	}
	if err := s2.Delivered(ctx, due[1].ID); err != nil {
		t.Fatal(err)
	}
	if due2, _ := s2.Due(ctx, now, 100); len(due2) != 2 {
		t.Errorf("after one retry and one delivery: %d due, want 2", len(due2))
	}
	if due3, _ := s2.Due(ctx, now.Add(2*time.Minute), 100); len(due3) != 3 || due3[2].Attempts != 1 || due3[2].LastError != "503" {
		t.Errorf("later: %+v", due3)
	}
	st, err := s2.Stats(ctx)
	if err != nil || st.Alerts != 2 || st.PendingDeliveries != 3 || st.Bytes == 0 {
		t.Errorf("stats %+v %v", st, err)
	}
}

func TestThrottle(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	t0 := time.UnixMilli(1_700_000_000_000)
	th := func(c Candidate, key string) Candidate {
		c.ThrottleKey, c.ThrottleFor = key, time.Minute
		return c
	}
	steps := []struct {
		at        time.Duration
		c         Candidate
		new, fold int
	}{
		{0, th(cand("r", "A", "e1", "h1"), "h1"), 1, 0},
		{10 * time.Second, th(cand("r", "A", "e2", "h1"), "h1"), 0, 1},
		{10 * time.Second, th(cand("r", "A", "e2", "h1"), "h1"), 0, 0}, // replay of a folded event
		{20 * time.Second, th(cand("r", "A", "e3", "h2"), "h2"), 1, 0},
		{61 * time.Second, th(cand("r", "A", "e4", "h1"), "h1"), 1, 0}, // window over
	}
	for i, st := range steps {
		res, err := s.Record(ctx, []Candidate{st.c}, nil, t0.Add(st.at))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.New) != st.new || res.Throttled != st.fold {
			t.Errorf("step %d: new %d throttled %d, want %d %d", i, len(res.New), res.Throttled, st.new, st.fold)
		}
	}
	a, err := s.Get(ctx, ID("r", "A", "e1", ""))
	if err != nil || a.Count != 2 || !a.LastSeen.Equal(t0.Add(10*time.Second)) {
		t.Errorf("folded alert: count %d last %v (%v)", a.Count, a.LastSeen, err)
	}
}

func TestStatusAndList(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	now := time.UnixMilli(1_700_000_000_000)
	var cs []Candidate
	for _, e := range []string{"e1", "e2", "e3", "e4", "e5"} {
		cs = append(cs, cand("r", "A", e, "h"))
	}
	cs = append(cs, cand("q", "B", "e9", "h"))
	if _, err := s.Record(ctx, cs, nil, now); err != nil {
		t.Fatal(err)
	}
	id := ID("r", "A", "e2", "")
	a, err := s.SetStatus(ctx, id, StatusAcknowledged, "alice", "looking", now.Add(time.Hour))
	if err != nil || a.Status != StatusAcknowledged || a.StatusBy != "alice" || !a.StatusAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("status: %+v %v", a, err)
	}
	if _, err := s.SetStatus(ctx, id, "done", "alice", "", now); err == nil {
		t.Error("an unknown status must be refused")
	}
	if _, err := s.SetStatus(ctx, "nope", StatusClosed, "alice", "", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	tests := []struct {
		f    Filter
		want int
	}{
		{Filter{}, 6},
		{Filter{Rule: "r"}, 5},
		{Filter{Branch: "B"}, 1},
		{Filter{Status: StatusAcknowledged}, 1},
		{Filter{Status: StatusNew}, 5},
		{Filter{Limit: 2}, 2},
		{Filter{Since: now.Add(time.Second)}, 0},
	}
	for _, tt := range tests {
		got, err := s.List(ctx, tt.f)
		if err != nil || len(got) != tt.want {
			t.Errorf("%+v: %d alerts (%v), want %d", tt.f, len(got), err, tt.want)
		}
	}
	// paging walks everything once, in order
	var seen []string
	var after int64
	for {
		page, err := s.List(ctx, Filter{AfterID: after, Limit: 4})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, a := range page {
			seen = append(seen, a.EventID)
		}
		after = page[len(page)-1].Seq
	}
	if len(seen) != 6 || seen[0] != "e1" || seen[5] != "e9" {
		t.Errorf("paging: %v", seen)
	}
}

func TestPostgresPlaceholders(t *testing.T) {
	s := &SQLStore{dialect: PostgresDialect}
	if got := s.q("a = ? AND b = ?"); got != "a = $1 AND b = $2" {
		t.Errorf("rebind: %q", got)
	}
	for _, stmt := range PostgresDialect.Schema {
		if len(stmt) > 0 && (strings.Contains(stmt, "AUTOINCREMENT") || strings.Contains(stmt, "%AUTO%")) {
			t.Errorf("SQLite syntax in PostgreSQL schema: %s", stmt)
		}
	}
}
