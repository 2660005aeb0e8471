package garmin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// LoginRequest is what Login needs from the user.
type LoginRequest struct {
	Email    string
	Password string
	// MFA returns the one-time code when Garmin asks for one; nil makes
	// such a login fail with ErrMFARequired.
	MFA func(ctx context.Context) (string, error)
}

// String implements fmt.Stringer without the password.
func (r LoginRequest) String() string {
	return fmt.Sprintf("garmin.LoginRequest{Email:%q Password:%s}", r.Email, Secret(r.Password))
}

// Format implements fmt.Formatter so that no verb shows the password.
func (r LoginRequest) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(r.String())) }

// loginAnswer is the answer of the SSO login and MFA calls.
type loginAnswer struct {
	ResponseStatus struct {
		Type string `json:"type"`
	} `json:"responseStatus"`
	ServiceTicketID string `json:"serviceTicketId"`
	CustomerMFAInfo struct {
		MFALastMethodUsed string `json:"mfaLastMethodUsed"`
	} `json:"customerMfaInfo"`
}

// Login runs the mobile SSO login: POST sso /mobile/api/login, then POST
// /mobile/api/mfa/verifyCode if Garmin asks for a code, then POST diauth
// /di-oauth2-service/oauth/token to exchange the service ticket for DI
// tokens, trying the known client ids in order.
//
// It never retries: a 429 anywhere in the flow is a *RateLimitError with
// Login set (retrying re-arms Garmin's limit). A wrong password is
// ErrBadCredentials, a refused MFA code too; a CAPTCHA is ErrCaptcha.
// On success the tokens are saved in the store (when the client has one)
// and become the client's tokens.
func (c *Client) Login(ctx context.Context, lr LoginRequest) (*Tokens, error) {
	if lr.Email == "" || lr.Password == "" {
		return nil, errors.New("garmin: login needs an email and a password")
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	// The SSO calls share a session cookie; keep it out of the data client.
	hc := *c.http
	hc.Jar = jar
	scrub := []string{lr.Password}

	query := url.Values{"clientId": {loginClientID}, "locale": {loginLocale}, "service": {loginServiceURL}}
	ans, err := c.ssoCall(ctx, &hc, pathLogin, query, map[string]any{
		"username":     lr.Email,
		"password":     lr.Password,
		"rememberMe":   true,
		"captchaToken": "",
	}, scrub)
	if err != nil {
		return nil, err
	}
	switch t := ans.ResponseStatus.Type; t {
	case "SUCCESSFUL":
	case "MFA_REQUIRED":
		if lr.MFA == nil {
			return nil, ErrMFARequired
		}
		code, err := lr.MFA(ctx)
		if errors.Is(err, ErrMFARequired) {
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("garmin: read mfa code: %w", err)
		}
		code = strings.TrimSpace(code)
		if code == "" {
			return nil, ErrMFARequired
		}
		method := ans.CustomerMFAInfo.MFALastMethodUsed
		if method == "" {
			method = loginMFAMethodDefault
		}
		ans, err = c.ssoCall(ctx, &hc, pathMFAVerify, query, map[string]any{
			"mfaMethod":           method,
			"mfaVerificationCode": code,
			"rememberMyBrowser":   false,
			"reconsentList":       []string{},
			"mfaSetup":            false,
		}, append(scrub, code))
		if err != nil {
			return nil, err
		}
		if t := ans.ResponseStatus.Type; t != "SUCCESSFUL" {
			return nil, fmt.Errorf("garmin: mfa code refused (%s): %w", sanitizeWord(t), ErrBadCredentials)
		}
	case "INVALID_USERNAME_PASSWORD":
		return nil, ErrBadCredentials
	case "CAPTCHA_REQUIRED":
		return nil, ErrCaptcha
	default:
		return nil, fmt.Errorf("garmin: login: unexpected answer %q", sanitizeWord(t))
	}
	if ans.ServiceTicketID == "" {
		return nil, errors.New("garmin: login succeeded but gave no service ticket")
	}
	tok, err := c.exchangeTicket(ctx, ans.ServiceTicketID)
	if err != nil {
		return nil, err
	}
	if err := c.setTokens(tok); err != nil {
		return nil, err
	}
	return tok.clone(), nil
}

// ssoCall POSTs a JSON body to an SSO path and decodes the answer.
func (c *Client) ssoCall(ctx context.Context, hc *http.Client, path string, query url.Values, body any, secrets []string) (*loginAnswer, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.hosts.sso+path+"?"+query.Encode(), bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("garmin: build login request: %w", err)
	}
	setLoginHeaders(req.Header)
	req.Header.Set("Content-Type", "application/json")
	ex, _, err := c.roundTrip(hc, req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("garmin: login: POST %s: %w", path, err)
	}
	if rl := c.rateLimit(ex, true); rl != nil {
		return nil, rl
	}
	var ans loginAnswer
	if jerr := json.Unmarshal(ex.body, &ans); jerr != nil || ans.ResponseStatus.Type == "" {
		// 403 here is usually a Cloudflare challenge page.
		return nil, &APIError{Method: http.MethodPost, Path: path, Status: ex.status, Body: scrubBody(ex.body, nil, secrets...)}
	}
	return &ans, nil
}

// exchangeTicket trades a service ticket for DI tokens, trying each client
// id in order until one is accepted.
func (c *Client) exchangeTicket(ctx context.Context, ticket string) (*Tokens, error) {
	var last error
	for _, id := range diClientIDs {
		form := url.Values{
			"client_id":      {id},
			"service_ticket": {ticket},
			"grant_type":     {grantServiceTicket},
			"service_url":    {loginServiceURL},
		}
		req, err := c.diTokenRequest(ctx, id, form)
		if err != nil {
			return nil, err
		}
		ex, _, err := c.roundTrip(c.http, req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("garmin: login: exchange ticket: %w", err)
		}
		if rl := c.rateLimit(ex, true); rl != nil {
			return nil, rl
		}
		var ta tokenAnswer
		if ex.status < 200 || ex.status > 299 || json.Unmarshal(ex.body, &ta) != nil || ta.AccessToken == "" {
			last = &APIError{Method: http.MethodPost, Path: pathDIToken, Status: ex.status, Body: scrubBody(ex.body, nil, ticket)}
			continue
		}
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
		return tok, nil
	}
	return nil, fmt.Errorf("garmin: login: every DI client id was refused: %w", last)
}

// sanitizeWord keeps an answer's status word printable and short.
func sanitizeWord(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 40 {
			break
		}
		if r == '_' || r == '-' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}
