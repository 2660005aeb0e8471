package garmin

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// The web app's cookie session (FamilyWebSession): since late 2025 a
// browser calls https://connect.garmin.com/gc-api/<service path> with its
// session cookies and a connect-csrf-token header, no Authorization
// (garmin-api.md "What changed in 2025-26"; python-garminconnect's JWT_WEB
// headers in get_api_headers). JWT_WEB is renewed through Set-Cookie on
// answers and by POST /services/auth/token/di-oauth/refresh with the
// cookies (python-garminconnect _refresh_session).

// ErrSessionEnded is a browser session Garmin no longer accepts, even
// after a refresh: only a fresh "Copy as cURL" from a logged-in browser
// brings it back.
var ErrSessionEnded = fmt.Errorf("the browser session has ended: %w", ErrUnauthorized)

// setSessionHeaders sets the headers of a cookie-session request: the
// web app's headers, every cookie in one Cookie header, and the csrf token.
func setSessionHeaders(h http.Header, tok *Tokens) {
	setWebHeaders(h)
	h.Del(headerDIBacked) // the /gc-api/ proxy routes by path
	h.Set("Cookie", sessionCookieHeader(tok))
	h.Set(headerCSRF, tok.CSRF.Reveal())
}

func sessionCookieHeader(tok *Tokens) string {
	parts := make([]string, 0, len(tok.Cookies)+1)
	for _, c := range tok.Cookies {
		parts = append(parts, c.Name+"="+c.Value.Reveal())
	}
	parts = append(parts, CookieJWTWeb+"="+tok.AccessToken.Reveal())
	return strings.Join(parts, "; ")
}

// keepCookies takes the Set-Cookie of an answer to a cookie-session
// request: a renewed JWT_WEB (or another cookie the session holds) is saved
// at once, before any later request relies on it, and the tokens to use
// from now on are returned. Other families pass through.
func (c *Client) keepCookies(ctx context.Context, tok *Tokens, h http.Header) (*Tokens, error) {
	if tok.Family != FamilyWebSession || len(h.Values("Set-Cookie")) == 0 {
		return tok, nil
	}
	set := (&http.Response{Header: h}).Cookies()
	c.mu.Lock()
	defer c.mu.Unlock()
	base := c.tok
	if base == nil || base.Family != FamilyWebSession {
		base = tok
	}
	nt, changed := withCookies(base, set)
	if !changed {
		return base, nil
	}
	if err := c.setTokensLocked(nt); err != nil {
		return nil, err
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "garmin session cookies renewed and saved", slog.Any("tokens", *nt))
	return nt, nil
}

// withCookies applies Set-Cookie values to a copy of tok: JWT_WEB becomes
// the access token; a cookie the session holds gets its new value; a
// deleted one (empty, or Max-Age < 0) is dropped. Cookies the session does
// not hold are ignored, so that nothing a response sets for other paths
// ends up in the token file.
func withCookies(tok *Tokens, set []*http.Cookie) (*Tokens, bool) {
	nt := tok.clone()
	changed := false
	for _, ck := range set {
		gone := ck.Value == "" || ck.MaxAge < 0
		if ck.Name == CookieJWTWeb {
			if !gone && Secret(ck.Value) != nt.AccessToken {
				nt.AccessToken, nt.ExpiresAt, changed = Secret(ck.Value), ck.Expires, true
			}
			continue
		}
		for i, have := range nt.Cookies {
			if have.Name != ck.Name {
				continue
			}
			if gone {
				nt.Cookies = append(nt.Cookies[:i], nt.Cookies[i+1:]...)
				changed = true
			} else if Secret(ck.Value) != have.Value {
				nt.Cookies[i].Value, changed = Secret(ck.Value), true
			}
			break
		}
	}
	return nt, changed
}

// refreshSession asks Garmin for a new JWT_WEB with the session cookies.
// A refusal, or an answer without a new JWT_WEB, is ErrSessionEnded.
func (c *Client) refreshSession(ctx context.Context, stale *Tokens) (*Tokens, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.hosts.connect+pathSessionRefresh, nil)
	if err != nil {
		return nil, fmt.Errorf("garmin: build session refresh: %w", err)
	}
	setSessionHeaders(req.Header, stale)
	req.Header.Set("Accept", "application/json")
	ex, _, err := c.roundTripWait(c.http, req, false)
	if err != nil {
		return nil, fmt.Errorf("garmin: POST %s: %w", pathSessionRefresh, err)
	}
	if rl := c.rateLimit(ex, false); rl != nil {
		return nil, rl
	}
	if ex.status < 200 || ex.status > 299 {
		return nil, fmt.Errorf("garmin: session refresh refused (status %d): %w", ex.status, ErrSessionEnded)
	}
	nt, changed := withCookies(stale, (&http.Response{Header: ex.header}).Cookies())
	if !changed || nt.AccessToken == stale.AccessToken {
		return nil, fmt.Errorf("garmin: session refresh gave no new %s: %w", CookieJWTWeb, ErrSessionEnded)
	}
	return nt, nil
}
