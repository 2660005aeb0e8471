package garmin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	// refreshMargin: tokens expiring within it are refreshed before use.
	refreshMargin = 15 * time.Minute
	// refreshTimeout bounds a refresh, which runs detached from the caller's
	// context (see refresh).
	refreshTimeout = 30 * time.Second
)

// Tokens returns a copy of the current tokens, loading them from the store
// if needed. It does not refresh them.
func (c *Client) Tokens() (*Tokens, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.loadLocked(); err != nil {
		return nil, err
	}
	return c.tok.clone(), nil
}

// loadLocked loads the tokens from the store unless already held. c.mu held.
func (c *Client) loadLocked() error {
	if c.tok != nil {
		return nil
	}
	if c.store == nil {
		return ErrNoTokens
	}
	t, err := c.store.Load()
	if err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrUnauthorized, err)
	}
	c.tok = t
	return nil
}

// setTokens makes t current and saves it. c.mu is held across the Save so
// that saves happen in the order tokens are made current. If the save fails
// the tokens stay current but marked unsaved, and are not handed out until a
// later save succeeds.
func (c *Client) setTokens(t *Tokens) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.setTokensLocked(t)
}

// setTokensLocked is setTokens with c.mu held.
func (c *Client) setTokensLocked(t *Tokens) error {
	c.tok = t
	c.unsaved = true
	if c.store == nil {
		c.unsaved = false
		return nil
	}
	if err := c.store.Save(t); err != nil {
		return &saveError{err}
	}
	c.unsaved = false
	return nil
}

// saveError is a failure to save new tokens: nothing to fall back on,
// since the refresh token they replace may no longer work.
type saveError struct{ err error }

func (e *saveError) Error() string { return "garmin: save tokens: " + e.err.Error() }
func (e *saveError) Unwrap() error { return e.err }

// heldTokens returns the current tokens, saved. They may be about to expire.
func (c *Client) heldTokens() (*Tokens, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.loadLocked(); err != nil {
		return nil, err
	}
	if c.unsaved && c.store != nil {
		if err := c.store.Save(c.tok); err != nil {
			return nil, &saveError{err}
		}
		c.unsaved = false
	}
	return c.tok, nil
}

// currentTokens returns the tokens to send, refreshed first when their JWT
// expires within refreshMargin (and there is a refresh token). A token whose
// expiry is unknown is refreshed only on a 401.
func (c *Client) currentTokens(ctx context.Context) (*Tokens, error) {
	tok, err := c.heldTokens()
	if err != nil {
		return nil, err
	}
	exp := tok.Expiry()
	now := c.now()
	if exp.IsZero() || exp.Sub(now) > refreshMargin || (tok.RefreshToken == "" && tok.Family != FamilyWebSession) {
		return tok, nil
	}
	nt, err := c.refresh(ctx, tok)
	if err == nil {
		return nt, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var rl *RateLimitError
	var se *saveError
	if exp.After(now) && !errors.As(err, &rl) && !errors.As(err, &se) {
		// Still valid for a while: use it and try again next call.
		c.log.LogAttrs(ctx, slog.LevelWarn, "garmin early token refresh failed; using the current token until it expires",
			slog.Time("expires", exp), slog.String("error", err.Error()))
		return tok, nil
	}
	return nil, err
}

// refresh replaces stale with new tokens and returns them. Concurrent
// callers holding the same stale tokens share one refresh: the first does
// it, the others find the tokens already replaced.
//
// Garmin rotates the refresh token, so the new tokens are saved before they
// are returned (used). The request itself runs detached from ctx (bounded by
// refreshTimeout): if Ctrl-C cut it off after Garmin rotated the token, the
// only valid refresh token would be lost and the user would have to log in
// again.
func (c *Client) refresh(ctx context.Context, stale *Tokens) (*Tokens, error) {
	select {
	case c.refreshSem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.refreshSem }()

	cur, err := c.heldTokens()
	if err != nil {
		return nil, err
	}
	if cur.AccessToken != stale.AccessToken {
		return cur, nil // someone refreshed while we waited
	}
	// Another process (a second run, an `auth import`) may have refreshed
	// or replaced the saved tokens; using our old refresh token would fail.
	if c.store != nil {
		if saved, err := c.store.Load(); err == nil && saved.AccessToken != stale.AccessToken && saved.Validate() == nil {
			c.mu.Lock()
			c.tok = saved
			c.mu.Unlock()
			return saved, nil
		}
	}
	if stale.RefreshToken == "" && stale.Family != FamilyWebSession {
		return nil, fmt.Errorf("garmin: token expired or rejected and no refresh token is saved: %w", ErrUnauthorized)
	}
	// Wait for the limiter with the caller's context (so Ctrl-C stops a
	// wait), then send detached.
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("rate limiter: %w", err)
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	var nt *Tokens
	switch stale.Family {
	case FamilyWeb:
		nt, err = c.refreshWeb(rctx, stale)
	case FamilyWebSession:
		nt, err = c.refreshSession(rctx, stale)
	default:
		nt, err = c.refreshDI(rctx, stale)
	}
	if err != nil {
		return nil, err
	}
	nt.Profile = stale.Profile
	if err := c.setTokens(nt); err != nil {
		return nil, err
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "garmin tokens refreshed", slog.Any("tokens", *nt))
	return nt, nil
}

// tokenAnswer is the OAuth2 token answer of both refresh endpoints and of
// the DI ticket exchange.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
}

// refreshDI calls POST diauth /di-oauth2-service/oauth/token with
// grant_type=refresh_token.
func (c *Client) refreshDI(ctx context.Context, stale *Tokens) (*Tokens, error) {
	if stale.ClientID == "" {
		return nil, fmt.Errorf("garmin: DI tokens have no client id to refresh with: %w", ErrUnauthorized)
	}
	form := url.Values{
		"grant_type":    {grantRefreshToken},
		"client_id":     {stale.ClientID},
		"refresh_token": {stale.RefreshToken.Reveal()},
	}
	req, err := c.diTokenRequest(ctx, stale.ClientID, form)
	if err != nil {
		return nil, err
	}
	hc, err := c.tokenClient()
	if err != nil {
		return nil, err
	}
	ta, _, err := c.tokenCall(hc, req, stale)
	if err != nil {
		return nil, err
	}
	nt := c.diTokens(ta, stale.ClientID)
	if nt.RefreshToken == "" {
		nt.RefreshToken = stale.RefreshToken
	}
	return nt, nil
}

// tokenClient is the client of the DI refresh: the DI token endpoint is a
// sign-in host, reached with a browser fingerprint as the ticket exchange
// is (python-garminconnect's _http_post impersonates "chrome").
func (c *Client) tokenClient() (*http.Client, error) {
	if c.signinRT == nil {
		return c.http, nil
	}
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	if c.tokenRT == nil {
		rt, err := c.signinRT(FingerprintChrome)
		if err != nil {
			return nil, err
		}
		c.tokenRT = rt
	}
	return &http.Client{Transport: c.tokenRT, Timeout: c.http.Timeout}, nil
}

// diTokenRequest builds a POST to the DI token endpoint.
func (c *Client) diTokenRequest(ctx context.Context, clientID string, form url.Values) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.hosts.diauth+pathDIToken, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("garmin: build token request: %w", err)
	}
	setDIHeaders(req.Header)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(clientID+":")))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cache-Control", "no-cache")
	return req, nil
}

// refreshWeb calls POST connect /services/auth/token/refresh with the
// JWT_FGP cookie; the answer's Set-Cookie carries the new JWT_FGP.
func (c *Client) refreshWeb(ctx context.Context, stale *Tokens) (*Tokens, error) {
	body, err := json.Marshal(map[string]string{"refresh_token": stale.RefreshToken.Reveal()})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.hosts.connect+pathWebRefresh, strings.NewReader(string(body)))
	if err != nil {
		return nil, fmt.Errorf("garmin: build refresh request: %w", err)
	}
	setWebHeaders(req.Header)
	req.Header.Set("Cookie", cookieJWTFGP+"="+stale.JWTFGP.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	ta, hdr, err := c.tokenCall(c.http, req, stale)
	if err != nil {
		return nil, err
	}
	nt := &Tokens{
		Family:       FamilyWeb,
		AccessToken:  Secret(ta.AccessToken),
		RefreshToken: Secret(ta.RefreshToken),
		JWTFGP:       stale.JWTFGP,
	}
	if nt.RefreshToken == "" {
		nt.RefreshToken = stale.RefreshToken
	}
	resp := http.Response{Header: hdr}
	for _, ck := range resp.Cookies() {
		if ck.Name == cookieJWTFGP && ck.Value != "" {
			nt.JWTFGP = Secret(ck.Value)
		}
	}
	if ta.ExpiresIn > 0 {
		nt.ExpiresAt = c.now().Add(time.Duration(ta.ExpiresIn) * time.Second).UTC()
	}
	return nt, nil
}

// tokenCall sends a refresh request (the caller has waited for the limiter)
// and decodes the answer. A 400, 401 or 403 means the grant was refused:
// ErrUnauthorized.
func (c *Client) tokenCall(hc *http.Client, req *http.Request, stale *Tokens) (tokenAnswer, http.Header, error) {
	var ta tokenAnswer
	path := req.URL.Path
	ex, _, err := c.roundTripWait(hc, req, false)
	if err != nil {
		return ta, nil, fmt.Errorf("garmin: %s %s: %w", req.Method, path, err)
	}
	if rl := c.rateLimit(ex, false); rl != nil {
		return ta, nil, rl
	}
	switch {
	case ex.status == http.StatusBadRequest || ex.status == http.StatusUnauthorized || ex.status == http.StatusForbidden:
		return ta, nil, fmt.Errorf("garmin: token refresh refused (status %d: %s): %w", ex.status, scrubBody(ex.body, stale), ErrUnauthorized)
	case ex.status < 200 || ex.status > 299:
		return ta, nil, &APIError{Method: req.Method, Path: path, Status: ex.status, Body: scrubBody(ex.body, stale)}
	}
	if err := json.Unmarshal(ex.body, &ta); err != nil {
		return ta, nil, fmt.Errorf("garmin: %s %s: decode token answer: %w", req.Method, path, err)
	}
	if ta.AccessToken == "" {
		return ta, nil, fmt.Errorf("garmin: %s %s: token answer has no access_token", req.Method, path)
	}
	return ta, ex.header, nil
}
