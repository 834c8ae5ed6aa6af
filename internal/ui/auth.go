package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"time"
)

const (
	sessionCookie = "tiercel_session"
	csrfHeader    = "X-CSRF-Token"
	sessionTTL    = 12 * time.Hour
	maxSessions   = 1024
)

// sessions exchanges the API token for a session cookie. The cookie holds a
// random session id, never the token: it is HttpOnly and SameSite=Strict,
// and every state-changing call must also carry the session's CSRF token in
// a header that only the page's own script can read and send.
type sessions struct {
	tokens []string
	mu     sync.Mutex
	byID   map[string]*session
}

type session struct {
	csrf    string
	expires time.Time
}

func newSessions(tokens []string) *sessions {
	return &sessions{tokens: tokens, byID: map[string]*session{}}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (ss *sessions) validToken(t string) bool {
	ok := false
	for _, tok := range ss.tokens {
		if tok != "" && subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			ok = true
		}
	}
	return ok
}

// open starts a session and sets its cookie.
func (ss *sessions) open(w http.ResponseWriter, r *http.Request) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	now := time.Now()
	for id, s := range ss.byID {
		if now.After(s.expires) || len(ss.byID) >= maxSessions {
			delete(ss.byID, id)
		}
	}
	id := randomHex(32)
	s := &session{csrf: randomHex(32), expires: now.Add(sessionTTL)}
	ss.byID[id] = s
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: int(sessionTTL / time.Second),
	})
	return s
}

// lookup returns the request's live session, or nil.
func (ss *sessions) lookup(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.byID[c.Value]
	if s == nil || time.Now().After(s.expires) {
		return nil
	}
	return s
}

func (ss *sessions) close(r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		ss.mu.Lock()
		delete(ss.byID, c.Value)
		ss.mu.Unlock()
	}
}

// sameOrigin rejects cross-site state changes even before the CSRF token is
// compared: browsers send Origin on every POST.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// authed lets a request through with a live session, or with the API token
// as a bearer token (scripts); state changes need the session's CSRF token.
func (s *Server) authed(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth := r.Header.Get("Authorization"); len(auth) > 7 && auth[:7] == "Bearer " {
			if s.sessions.validToken(auth[7:]) {
				h(w, r)
				return
			}
			writeError(w, http.StatusUnauthorized, "invalid API token")
			return
		}
		sess := s.sessions.lookup(r)
		if sess == nil {
			writeError(w, http.StatusUnauthorized, "log in with an API token")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(sess.csrf)) != 1 {
				writeError(w, http.StatusForbidden, "missing or wrong CSRF token")
				return
			}
		}
		h(w, r)
	})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "cross-site login refused")
		return
	}
	var body struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil || !s.sessions.validToken(body.Token) {
		writeError(w, http.StatusUnauthorized, "wrong API token")
		return
	}
	sess := s.sessions.open(w, r)
	writeJSON(w, http.StatusOK, map[string]any{"csrf": sess.csrf, "title": s.opts.Title})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.sessions.close(r)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// session tells the page its CSRF token (the cookie itself is unreadable).
func (s *Server) session(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{"title": s.opts.Title, "alerts": s.opts.Alerts != nil, "validate": s.opts.Validate != nil, "sensors": s.opts.ValidateSensors != nil}
	if sess := s.sessions.lookup(r); sess != nil {
		out["csrf"] = sess.csrf
	}
	writeJSON(w, http.StatusOK, out)
}
