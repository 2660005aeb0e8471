package sandbox

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
)

// The web app's cookie session (Nov 2025 →): a browser calls
// /gc-api/<service path> on connect.garmin.com with its cookies and a
// connect-csrf-token header, no Authorization; JWT_WEB is renewed by
// Set-Cookie on answers and by POST /services/auth/token/di-oauth/refresh
// with the session cookies (garmin-api.md "What changed in 2025-26";
// python-garminconnect get_api_headers and _refresh_session). Every data
// route is served under /gc-api/ too.

// Web-session names shared with clients.
const (
	// JWTWebCookie is the session's access token cookie.
	JWTWebCookie = "JWT_WEB"
	// CSRFHeader carries the session's csrf token.
	CSRFHeader = "connect-csrf-token"
	// GCAPIPrefix prefixes the data routes of the cookie session.
	GCAPIPrefix = "/gc-api"
)

// WebSession is a browser's cookie session, as its "Copy as cURL" carries it.
type WebSession struct {
	// Cookies are the browser's cookies for connect.garmin.com, JWT_WEB
	// and SESSIONID among them.
	Cookies map[string]string
	// CSRF is the connect-csrf-token the web app sends.
	CSRF string
}

// browserSession is one logged-in browser.
type browserSession struct {
	acct  *account
	id    string // the SESSIONID cookie
	csrf  string
	ended bool
	calls int // requests the session has made
}

// gcapiRoutes are the data routes again under /gc-api/, authorized by the
// cookie session.
func gcapiRoutes(rts []route) []route {
	var out []route
	for _, rt := range rts {
		if rt.auth {
			rt.path = GCAPIPrefix + rt.path
			rt.session = true
			out = append(out, rt)
		}
	}
	return out
}

// IssueWebSession logs a browser in for the account: its cookies and csrf
// token, as a "Copy as cURL" of any /gc-api/ request would carry them.
func (s *Server) IssueWebSession(email string) (WebSession, error) {
	a, unlock, err := s.locked(email)
	if err != nil {
		return WebSession{}, err
	}
	defer unlock()
	if s.sessions == nil {
		s.sessions = map[string]*browserSession{}
	}
	bs := &browserSession{acct: a, id: s.randomString(18), csrf: s.randomUUID()}
	s.sessions[bs.id] = bs
	return WebSession{
		Cookies: map[string]string{
			SessionCookie: bs.id, "session": s.randomString(12), "GARMIN-SSO": "1",
			"GARMIN-SSO-CUST-GUID": s.randomUUID(), JWTWebCookie: s.mintJWTWeb(bs),
		},
		CSRF: bs.csrf,
	}, nil
}

// EndWebSession logs every browser session of the account out: its
// JWT_WEB and its refresh are refused from now on.
func (s *Server) EndWebSession(email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, bs := range s.sessions {
		if strings.EqualFold(bs.acct.Email, email) {
			bs.ended = true
		}
	}
}

// mintJWTWeb issues a JWT_WEB for a session. Callers hold s.mu.
func (s *Server) mintJWTWeb(bs *browserSession) string {
	access, _ := s.issue(bs.acct, familySession, WebClientID, "")
	cl, _ := parseToken(s.key, access)
	s.access[cl.Jti].session = bs
	return access
}

func (s *Server) randomUUID() string {
	b := s.randomBytes(16)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// authorizeSession checks a /gc-api/ request: csrf token, JWT_WEB of a
// live session, its SESSIONID. With Options.WebRotateEvery, every that
// many uses a JWT_WEB is renewed by Set-Cookie, and the old one is refused
// once the session has made that many more requests. Callers hold s.mu.
func (s *Server) authorizeSession(c *call) reply {
	ck, err := c.r.Cookie(JWTWebCookie)
	if err != nil {
		return jsonError(http.StatusUnauthorized, "no session")
	}
	cl, err := parseToken(s.key, ck.Value)
	if err != nil {
		return jsonError(http.StatusUnauthorized, "invalid session")
	}
	at, ok := s.access[cl.Jti]
	if !ok || at.session == nil || subtle.ConstantTimeCompare([]byte(at.token), []byte(ck.Value)) != 1 {
		return jsonError(http.StatusUnauthorized, "invalid session")
	}
	bs := at.session
	if sid, err := c.r.Cookie(SessionCookie); err != nil || sid.Value != bs.id || bs.ended {
		return jsonError(http.StatusUnauthorized, "session ended")
	}
	if subtle.ConstantTimeCompare([]byte(c.r.Header.Get(CSRFHeader)), []byte(bs.csrf)) != 1 {
		return jsonError(http.StatusForbidden, "invalid csrf token")
	}
	if !c.now.Before(at.exp) || (at.retireAt > 0 && bs.calls >= at.retireAt) {
		return jsonError(s.expiredStatus(), "token expired")
	}
	if at.acct.TokensInactive {
		return jsonError(http.StatusUnauthorized, "token is not active")
	}
	at.uses++
	bs.calls++
	if n := s.opts.WebRotateEvery; n > 0 && at.uses == n {
		at.retireAt = bs.calls + n
		c.setCookies = append(c.setCookies, s.jwtWebCookie(bs))
	}
	c.acct = at.acct
	return reply{}
}

func (s *Server) jwtWebCookie(bs *browserSession) *http.Cookie {
	return &http.Cookie{Name: JWTWebCookie, Value: s.mintJWTWeb(bs), Path: "/", Secure: true, HttpOnly: true}
}

// sessionRefresh serves POST /services/auth/token/di-oauth/refresh: a live
// session's cookies get a new JWT_WEB.
func (s *Server) sessionRefresh(c *call) reply {
	sid, err := c.r.Cookie(SessionCookie)
	if err != nil {
		return jsonError(http.StatusUnauthorized, "no session")
	}
	bs, ok := s.sessions[sid.Value]
	if !ok || bs.ended {
		return jsonError(http.StatusUnauthorized, "session ended")
	}
	return reply{status: http.StatusOK, header: http.Header{"Set-Cookie": {s.jwtWebCookie(bs).String()}}, body: map[string]any{}}
}
