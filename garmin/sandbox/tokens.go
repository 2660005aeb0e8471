package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Names shared with clients.
const (
	// DIGrantServiceTicket is the grant_type that exchanges a login ticket.
	DIGrantServiceTicket = "https://connectapi.garmin.com/di-oauth2-service/oauth/grant/service_ticket"
	// WebClientID is the client_id claim of web-session tokens.
	WebClientID = "CONNECT_WEB"
	// FGPCookie is the cookie that binds a web token to its browser.
	FGPCookie = "JWT_FGP"
	// DIBackendHeader and DIBackendValue must accompany web-token writes.
	DIBackendHeader = "DI-Backend"
	DIBackendValue  = "connectapi.garmin.com"

	tokenScope = "CONNECT_READ CONNECT_WRITE"
)

// DefaultDIClientIDs returns the DI client ids in the order clients try them.
func DefaultDIClientIDs() []string {
	return []string{
		"GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
		"GARMIN_CONNECT_MOBILE_ANDROID_DI_2024Q4",
		"GARMIN_CONNECT_MOBILE_ANDROID_DI",
		"GARMIN_CONNECT_MOBILE_IOS_DI",
	}
}

type family int

const (
	familyDI family = iota + 1
	familyWeb
	familySession // the web app's cookie session (websession.go)
)

type accessToken struct {
	token    string
	acct     *account
	family   family
	clientID string
	fgp      string // web family only
	exp      time.Time
	uses     int
	// session is the browser session of a JWT_WEB; retireAt, when set,
	// is the session's request count from which a renewed one is refused
	// (websession.go).
	session  *browserSession
	retireAt int
}

type refreshToken struct {
	acct     *account
	family   family
	clientID string
	fgp      string // web family: the cookie that must come with it
	exp      time.Time
	used     bool
}

// DITokens are DI OAuth2 tokens as the token endpoint issues them.
type DITokens struct {
	AccessToken  string
	RefreshToken string
	ClientID     string
	ExpiresIn    int // seconds
}

// WebTokens are a web session: JWT, refresh token and the JWT_FGP cookie.
type WebTokens struct {
	AccessToken  string
	RefreshToken string
	JWTFGP       string
	ExpiresIn    int // seconds
}

// claims is the payload of an access token.
type claims struct {
	Iss      string `json:"iss"`
	Sub      string `json:"sub"`
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
	Iat      int64  `json:"iat"`
	Exp      int64  `json:"exp"`
	Jti      string `json:"jti"`
}

// IssueDI gives an account fresh DI tokens for the first accepted client
// id, as a login would.
func (s *Server) IssueDI(email string) (DITokens, error) {
	a, unlock, err := s.locked(email)
	if err != nil {
		return DITokens{}, err
	}
	defer unlock()
	if s.firstID == "" {
		return DITokens{}, errors.New("sandbox: no DI client id accepted")
	}
	at, rt := s.issue(a, familyDI, s.firstID, "")
	return DITokens{AccessToken: at, RefreshToken: rt, ClientID: s.firstID, ExpiresIn: s.expiresIn()}, nil
}

// IssueWeb gives an account a fresh web session, as a browser login would.
func (s *Server) IssueWeb(email string) (WebTokens, error) {
	a, unlock, err := s.locked(email)
	if err != nil {
		return WebTokens{}, err
	}
	defer unlock()
	fgp := s.randomString(24)
	at, rt := s.issue(a, familyWeb, WebClientID, fgp)
	return WebTokens{AccessToken: at, RefreshToken: rt, JWTFGP: fgp, ExpiresIn: s.expiresIn()}, nil
}

func (s *Server) expiresIn() int { return int(s.opts.AccessTTL / time.Second) }

// issue mints an access and a refresh token. Callers hold s.mu.
func (s *Server) issue(a *account, fam family, clientID, fgp string) (access, refresh string) {
	now := s.opts.Now()
	c := claims{
		Iss:      "sandbox.garmin",
		Sub:      a.Email,
		ClientID: clientID,
		Scope:    tokenScope,
		Iat:      now.Unix(),
		Exp:      now.Add(s.opts.AccessTTL).Unix(),
		Jti:      s.randomString(16),
	}
	access = s.sign(c)
	s.access[c.Jti] = &accessToken{
		token: access, acct: a, family: fam, clientID: clientID, fgp: fgp,
		exp: time.Unix(c.Exp, 0),
	}
	refresh = s.randomString(32)
	s.refresh[refresh] = &refreshToken{
		acct: a, family: fam, clientID: clientID, fgp: fgp,
		exp: now.Add(s.opts.RefreshTTL),
	}
	return access, refresh
}

// b64 is strict so that a token has exactly one spelling.
var b64 = base64.RawURLEncoding.Strict()

func (s *Server) sign(c claims) string {
	head := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload, _ := json.Marshal(c) // plain strings and ints cannot fail
	unsigned := head + "." + b64.EncodeToString(payload)
	return unsigned + "." + b64.EncodeToString(s.mac(unsigned))
}

func (s *Server) mac(msg string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// parseToken checks a JWT's shape and signature and returns its claims.
func parseToken(key []byte, tok string) (claims, error) {
	var c claims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, errors.New("not a JWT")
	}
	head, err := b64.DecodeString(parts[0])
	if err != nil {
		return c, fmt.Errorf("header: %w", err)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(head, &h); err != nil {
		return c, fmt.Errorf("header: %w", err)
	}
	if h.Alg != "HS256" {
		return c, fmt.Errorf("alg %q not accepted", h.Alg)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return c, fmt.Errorf("signature: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, m.Sum(nil)) {
		return c, errors.New("bad signature")
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		return c, fmt.Errorf("payload: %w", err)
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return c, fmt.Errorf("payload: %w", err)
	}
	return c, nil
}

// expiredStatus is the status an expired access token gets: 401, or 403
// with Options.ExpiredForbidden.
func (s *Server) expiredStatus() int {
	if s.opts.ExpiredForbidden {
		return http.StatusForbidden
	}
	return http.StatusUnauthorized
}

// authorize checks the bearer token of an auth route and sets c.acct. A
// zero reply means go on. Callers hold s.mu.
func (s *Server) authorize(rt route, c *call) reply {
	if !rt.auth {
		return reply{}
	}
	if rt.session {
		return s.authorizeSession(c)
	}
	authz := c.r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(authz, "Bearer ")
	if !ok || tok == "" {
		return jsonError(http.StatusUnauthorized, "missing bearer token")
	}
	cl, err := parseToken(s.key, tok)
	if err != nil {
		return jsonError(http.StatusUnauthorized, "invalid token")
	}
	at, ok := s.access[cl.Jti]
	if !ok || subtle.ConstantTimeCompare([]byte(at.token), []byte(tok)) != 1 {
		return jsonError(http.StatusUnauthorized, "token is not active")
	}
	if !c.now.Before(at.exp) {
		return jsonError(s.expiredStatus(), "token expired")
	}
	if at.acct.TokensInactive {
		return jsonError(http.StatusUnauthorized, "token is not active")
	}
	if at.family == familyWeb {
		ck, err := c.r.Cookie(FGPCookie)
		if err != nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(at.fgp)) != 1 {
			return jsonError(http.StatusUnauthorized, "token is not active")
		}
	}
	at.uses++
	if lim := s.opts.AccessMaxRequests; lim > 0 && at.uses > lim {
		return jsonError(s.expiredStatus(), "token expired")
	}
	if at.family == familyWeb && rt.diBackend && c.r.Header.Get(DIBackendHeader) != DIBackendValue {
		return jsonError(http.StatusNotFound, "not found")
	}
	c.acct = at.acct
	return reply{}
}

// randomBytes draws n bytes from the token stream. Callers hold s.mu (or
// are New).
func (s *Server) randomBytes(n int) []byte {
	b := make([]byte, 0, n+8)
	for len(b) < n {
		b = binary.LittleEndian.AppendUint64(b, s.tokRand.Uint64())
	}
	return b[:n]
}

func (s *Server) randomString(n int) string { return b64.EncodeToString(s.randomBytes(n)) }

func oauthError(status int, code, desc string) reply {
	return reply{status: status, body: map[string]string{"error": code, "error_description": desc}}
}

func (s *Server) tokenBody(access, refresh string) map[string]any {
	cl, _ := parseToken(s.key, access)
	return map[string]any{
		"access_token":             access,
		"token_type":               "bearer",
		"expires_in":               s.expiresIn(),
		"refresh_token":            refresh,
		"refresh_token_expires_in": int(s.opts.RefreshTTL / time.Second),
		"scope":                    tokenScope,
		"jti":                      cl.Jti,
	}
}

// diToken serves POST /di-oauth2-service/oauth/token.
func (s *Server) diToken(c *call) reply {
	if ct := c.r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return oauthError(http.StatusBadRequest, "invalid_request", "expected a form body")
	}
	form, err := url.ParseQuery(string(c.body))
	if err != nil {
		return oauthError(http.StatusBadRequest, "invalid_request", "malformed form")
	}
	user, pass, ok := c.r.BasicAuth()
	if !ok || pass != "" || !s.clientIDs[user] {
		return oauthError(http.StatusUnauthorized, "invalid_client", "client authentication failed")
	}
	if id := form.Get("client_id"); id != "" && id != user {
		return oauthError(http.StatusUnauthorized, "invalid_client", "client_id does not match authorization")
	}
	switch form.Get("grant_type") {
	case DIGrantServiceTicket:
		t, ok := s.tickets[form.Get("service_ticket")]
		if !ok || t.used || !c.now.Before(t.exp) {
			return oauthError(http.StatusBadRequest, "invalid_grant", "service ticket is not valid")
		}
		if form.Get("service_url") != t.service {
			return oauthError(http.StatusBadRequest, "invalid_grant", "service_url does not match the ticket")
		}
		t.used = true
		at, rt := s.issue(t.acct, familyDI, user, "")
		return reply{status: http.StatusOK, body: s.tokenBody(at, rt)}
	case "refresh_token":
		rt, ok := s.refresh[form.Get("refresh_token")]
		if !ok || rt.used || rt.family != familyDI || !c.now.Before(rt.exp) {
			return oauthError(http.StatusBadRequest, "invalid_grant", "refresh token is not valid")
		}
		if rt.clientID != user {
			return oauthError(http.StatusBadRequest, "invalid_grant", "refresh token was issued to another client")
		}
		rt.used = true
		access, refresh := s.issue(rt.acct, familyDI, user, "")
		return reply{status: http.StatusOK, body: s.tokenBody(access, refresh)}
	case "":
		return oauthError(http.StatusBadRequest, "invalid_request", "missing grant_type")
	}
	return oauthError(http.StatusBadRequest, "unsupported_grant_type", "grant type not supported")
}

// webRefresh serves POST /services/auth/token/refresh.
func (s *Server) webRefresh(c *call) reply {
	var in struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil || in.RefreshToken == "" {
		return jsonError(http.StatusBadRequest, "expected {\"refresh_token\":...}")
	}
	rt, ok := s.refresh[in.RefreshToken]
	if !ok || rt.used || rt.family != familyWeb || !c.now.Before(rt.exp) {
		return jsonError(http.StatusUnauthorized, "refresh token is not valid")
	}
	ck, err := c.r.Cookie(FGPCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(rt.fgp)) != 1 {
		return jsonError(http.StatusUnauthorized, "fingerprint cookie does not match")
	}
	rt.used = true
	fgp := s.randomString(24)
	access, refresh := s.issue(rt.acct, familyWeb, WebClientID, fgp)
	cookie := &http.Cookie{Name: FGPCookie, Value: fgp, Path: "/", HttpOnly: true}
	return reply{
		status: http.StatusOK,
		body:   s.tokenBody(access, refresh),
		header: http.Header{"Set-Cookie": {cookie.String()}},
	}
}
