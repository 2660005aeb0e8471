package garmin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// loginAnswer is the answer of the SSO JSON login and MFA calls.
type loginAnswer struct {
	ResponseStatus struct {
		Type string `json:"type"`
	} `json:"responseStatus"`
	ServiceTicketID string `json:"serviceTicketId"`
	CustomerMFAInfo struct {
		MFALastMethodUsed string `json:"mfaLastMethodUsed"`
	} `json:"customerMfaInfo"`
}

// jsonFlow is a sign-in through SSO's JSON API: the iOS app's
// (/mobile/api) or the desktop web page's (/portal/api). Both answer with
// responseStatus.type and a service ticket (python-garminconnect
// _do_mobile_login, _do_portal_web_login).
type jsonFlow struct {
	page      string // GET first for cookies ("" none)
	login     string
	mfa       string
	clientID  string
	service   string
	userAgent string
	// pauseLo, pauseHi bound the anti-WAF pause after the page.
	pauseLo, pauseHi time.Duration
}

func (c *Client) mobileLogin(ctx context.Context, s *signin) (*Tokens, error) {
	return c.jsonLogin(ctx, s, jsonFlow{
		login: pathLogin, mfa: pathMFAVerify, clientID: loginClientID,
		service: loginServiceURL, userAgent: loginUserAgent,
	})
}

func (c *Client) portalLogin(ctx context.Context, s *signin) (*Tokens, error) {
	return c.jsonLogin(ctx, s, jsonFlow{
		page: pathPortalPage, login: pathPortalLogin, mfa: pathPortalMFAVerify,
		clientID: portalClientID, service: portalServiceURL, userAgent: desktopUserAgent,
		pauseLo: 10 * time.Second, pauseHi: 20 * time.Second,
	})
}

// jsonLogin runs a JSON flow to its service ticket and exchanges it.
func (c *Client) jsonLogin(ctx context.Context, s *signin, f jsonFlow) (*Tokens, error) {
	if f.page != "" {
		q := url.Values{"clientId": {f.clientID}, "service": {f.service}}
		if _, err := c.formCall(ctx, s, http.MethodGet, f.page+"?"+q.Encode(), nil, ""); err != nil {
			return nil, err
		}
		if err := c.pause(ctx, f.pauseLo, f.pauseHi); err != nil {
			return nil, err
		}
	}
	query := url.Values{"clientId": {f.clientID}, "locale": {loginLocale}, "service": {f.service}}
	ans, err := c.ssoCall(ctx, s, f, f.login, query, map[string]any{
		"username":     s.lr.Email,
		"password":     s.lr.Password,
		"rememberMe":   true,
		"captchaToken": "",
	})
	if err != nil {
		return nil, err
	}
	switch t := ans.ResponseStatus.Type; t {
	case "SUCCESSFUL":
	case "MFA_REQUIRED":
		if ans, err = c.jsonMFA(ctx, s, f, query, ans); err != nil {
			return nil, err
		}
	case "INVALID_USERNAME_PASSWORD":
		return nil, ErrBadCredentials
	case "CAPTCHA_REQUIRED":
		return nil, ErrCaptcha
	case "ACCOUNT_LOCKED":
		return nil, ErrAccountLocked
	default:
		return nil, fmt.Errorf("garmin: login: unexpected answer %q", sanitizeWord(t))
	}
	if ans.ServiceTicketID == "" {
		return nil, fmt.Errorf("garmin: login succeeded but gave no service ticket")
	}
	return c.exchangeTicket(ctx, s.hc, ans.ServiceTicketID, f.service)
}

// jsonMFA sends the one-time code. "rememberMyBrowser" is true, as
// python-garminconnect's _complete_mfa sends it, so that Garmin asks less
// often.
func (c *Client) jsonMFA(ctx context.Context, s *signin, f jsonFlow, query url.Values, ans *loginAnswer) (*loginAnswer, error) {
	code, err := s.mfa.get(ctx)
	if err != nil {
		return nil, err
	}
	method := ans.CustomerMFAInfo.MFALastMethodUsed
	if method == "" {
		method = loginMFAMethodDefault
	}
	s.scrub = append(s.scrub, code)
	ans, err = c.ssoCall(ctx, s, f, f.mfa, query, map[string]any{
		"mfaMethod":           method,
		"mfaVerificationCode": code,
		"rememberMyBrowser":   true,
		"reconsentList":       []string{},
		"mfaSetup":            false,
	})
	if err != nil {
		return nil, err
	}
	if t := ans.ResponseStatus.Type; t != "SUCCESSFUL" {
		return nil, fmt.Errorf("garmin: mfa code refused (%s): %w", sanitizeWord(t), ErrBadCredentials)
	}
	return ans, nil
}

// ssoCall POSTs a JSON body to an SSO path and decodes the answer.
func (c *Client) ssoCall(ctx context.Context, s *signin, f jsonFlow, path string, query url.Values, body any) (*loginAnswer, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.hosts.sso+path+"?"+query.Encode(), bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("garmin: build login request: %w", err)
	}
	setLoginHeaders(req.Header)
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Content-Type", "application/json")
	if f.page != "" {
		req.Header.Set("Referer", hostSSO+f.page)
	}
	ex, err := c.signinRoundTrip(ctx, s, req)
	if err != nil {
		return nil, err
	}
	var ans loginAnswer
	if jerr := json.Unmarshal(ex.body, &ans); jerr != nil || ans.ResponseStatus.Type == "" {
		return nil, &APIError{Method: http.MethodPost, Path: path, Status: ex.status, Body: scrubBody(ex.body, nil, s.scrub...)}
	}
	return &ans, nil
}

// formCall sends a request of an HTML flow (a page GET or a form POST) and
// returns the page.
func (c *Client) formCall(ctx context.Context, s *signin, method, pathQuery string, form url.Values, referer string) (string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.hosts.sso+pathQuery, body)
	if err != nil {
		return "", fmt.Errorf("garmin: build sign-in request: %w", err)
	}
	req.Header.Set("User-Agent", desktopUserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", hostSSO)
	}
	if referer != "" {
		req.Header.Set("Referer", referer)
	}
	ex, err := c.signinRoundTrip(ctx, s, req)
	if err != nil {
		return "", err
	}
	if ex.status < 200 || ex.status > 299 {
		path, _, _ := strings.Cut(pathQuery, "?")
		return "", &APIError{Method: method, Path: path, Status: ex.status, Body: scrubBody(ex.body, nil, s.scrub...)}
	}
	return string(ex.body), nil
}

// signinRoundTrip sends one sign-in request with the attempt's client and
// maps what every sign-in call shares: no answer (*signinTransportError),
// a 429 (*RateLimitError, Login set) and Cloudflare's challenge page
// (ErrChallenged).
func (c *Client) signinRoundTrip(ctx context.Context, s *signin, req *http.Request) (exchange, error) {
	ex, _, err := c.roundTrip(s.hc, req)
	if err != nil {
		if ctx.Err() != nil {
			return ex, ctx.Err()
		}
		return ex, &signinTransportError{err: fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)}
	}
	if rl := c.rateLimit(ex, true); rl != nil {
		return ex, rl
	}
	if challenged(ex) {
		return ex, fmt.Errorf("%w (%s %s answered %d)", ErrChallenged, req.Method, req.URL.Path, ex.status)
	}
	return ex, nil
}

// challenged reports a Cloudflare challenge: a 403 (or 503) whose body is
// an HTML page, not Garmin's JSON (python-garminconnect treats a 403 on the
// login POST as "Cloudflare bot challenge" and goes on).
func challenged(ex exchange) bool {
	if ex.status != http.StatusForbidden && ex.status != http.StatusServiceUnavailable {
		return false
	}
	b := bytes.TrimSpace(ex.body)
	return len(b) == 0 || b[0] == '<' || strings.Contains(strings.ToLower(ex.header.Get("Content-Type")), "html")
}

// exchangeTicket trades a service ticket for DI tokens through the
// attempt's client (python-garminconnect sends the exchange through the
// impersonated transport too, _http_post), trying each client id in order
// until one is accepted. service is the login's service URL.
func (c *Client) exchangeTicket(ctx context.Context, hc *http.Client, ticket, service string) (*Tokens, error) {
	var last error
	for _, id := range diClientIDs {
		form := url.Values{
			"client_id":      {id},
			"service_ticket": {ticket},
			"grant_type":     {grantServiceTicket},
			"service_url":    {service},
		}
		req, err := c.diTokenRequest(ctx, id, form)
		if err != nil {
			return nil, err
		}
		ex, _, err := c.roundTrip(hc, req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &signinTransportError{err: fmt.Errorf("exchange ticket: %w", err)}
		}
		if rl := c.rateLimit(ex, true); rl != nil {
			return nil, rl
		}
		if challenged(ex) {
			return nil, fmt.Errorf("%w (ticket exchange answered %d)", ErrChallenged, ex.status)
		}
		var ta tokenAnswer
		if ex.status < 200 || ex.status > 299 || json.Unmarshal(ex.body, &ta) != nil || ta.AccessToken == "" {
			last = &APIError{Method: http.MethodPost, Path: pathDIToken, Status: ex.status, Body: scrubBody(ex.body, nil, ticket)}
			continue
		}
		return c.diTokens(ta, id), nil
	}
	return nil, fmt.Errorf("garmin: login: every DI client id was refused: %w", last)
}

// diTokens builds DI tokens from a token endpoint's answer.
func (c *Client) diTokens(ta tokenAnswer, id string) *Tokens {
	tok := &Tokens{
		Family:       FamilyDI,
		AccessToken:  Secret(ta.AccessToken),
		RefreshToken: Secret(ta.RefreshToken),
		ClientID:     id,
	}
	if cl, err := decodeJWT(ta.AccessToken); err == nil && cl.ClientID != "" {
		tok.ClientID = cl.ClientID
	}
	if ta.ExpiresIn > 0 {
		tok.ExpiresAt = c.now().Add(time.Duration(ta.ExpiresIn) * time.Second).UTC()
	}
	return tok
}
