package garmin

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The widget flow reads HTML pages with the patterns of
// python-garminconnect (_CSRF_RE, _TITLE_RE, _WIDGET_MFA_VARS_RE and the
// ticket pattern of _widget_web_login).
var (
	widgetCSRF   = regexp.MustCompile(`name="_csrf"\s+value="(.+?)"`)
	widgetTitle  = regexp.MustCompile(`<title>(.+?)</title>`)
	widgetTicket = regexp.MustCompile(`\?ticket=(ST-[^"&\s]+)`)
	widgetMFAVar = regexp.MustCompile(`var\s+mfaMethod\s*=\s*"([^"]*)"\s*;`)
)

// widgetLogin signs in through the SSO embed widget's HTML form: GET the
// embed page (cookies), GET the sign-in page (its hidden _csrf), wait 3–8
// s, POST the form; the answer page is titled "Success" and links the
// service ticket, or asks for the one-time code in a second form
// (python-garminconnect _widget_web_login, _complete_mfa_widget). The
// ticket's service is the embed page itself.
func (c *Client) widgetLogin(ctx context.Context, s *signin) (*Tokens, error) {
	sso := c.hosts.sso + "/sso"
	embed := sso + "/embed"
	embedQ := url.Values{"id": {"gauth-widget"}, "embedWidget": {"true"}, "gauthHost": {sso}}
	signinQ := url.Values{"id": {"gauth-widget"}, "embedWidget": {"true"}, "gauthHost": {embed},
		"service": {embed}, "source": {embed},
		"redirectAfterAccountLoginUrl": {embed}, "redirectAfterAccountCreationUrl": {embed}}
	if _, err := c.formCall(ctx, s, http.MethodGet, pathWidgetEmbed+"?"+embedQ.Encode(), nil, ""); err != nil {
		return nil, err
	}
	signinURL := pathWidgetSignin + "?" + signinQ.Encode()
	page, err := c.formCall(ctx, s, http.MethodGet, signinURL, nil, embed)
	if err != nil {
		return nil, err
	}
	csrf, err := widgetCSRFOf(page, "sign-in page")
	if err != nil {
		return nil, err
	}
	if err := c.pause(ctx, 3*time.Second, 8*time.Second); err != nil {
		return nil, err
	}
	form := url.Values{"username": {s.lr.Email}, "password": {s.lr.Password}, "embed": {"true"}, "_csrf": {csrf}}
	page, err = c.formCall(ctx, s, http.MethodPost, signinURL, form, c.hosts.sso+signinURL)
	if err != nil {
		return nil, err
	}
	if page, err = c.widgetAnswer(ctx, s, page, signinURL); err != nil {
		return nil, err
	}
	m := widgetTicket.FindStringSubmatch(page)
	if m == nil {
		return nil, fmt.Errorf("garmin: widget sign-in: the Success page links no service ticket")
	}
	return c.exchangeTicket(ctx, s.hc, html.UnescapeString(m[1]), embed)
}

// widgetAnswer reads the page the form POST answered: Success, a one-time
// code form (sent, and its Success page returned), or an error page. The
// title words are python-garminconnect's: "locked"; "invalid",
// "incorrect", "account error"; "cloudflare", "bad gateway", "service
// unavailable", "502", "503".
func (c *Client) widgetAnswer(ctx context.Context, s *signin, page, signinURL string) (string, error) {
	title := pageTitle(page)
	lower := strings.ToLower(title)
	switch {
	case title == "Success":
		return page, nil
	case containsAny(lower, "cloudflare", "bad gateway", "service unavailable", "502", "503"):
		return "", fmt.Errorf("%w (widget page %q)", ErrChallenged, sanitizeWord(title))
	case strings.Contains(lower, "locked"):
		return "", ErrAccountLocked
	case containsAny(lower, "invalid", "incorrect", "account error"):
		return "", ErrBadCredentials
	case strings.Contains(lower, "mfa") || widgetMFAVar.MatchString(page):
		return c.widgetMFA(ctx, s, page, signinURL)
	}
	return "", fmt.Errorf("garmin: widget sign-in: unexpected page %q", sanitizeWord(title))
}

// widgetMFA posts the one-time code with the code page's own _csrf.
func (c *Client) widgetMFA(ctx context.Context, s *signin, page, signinURL string) (string, error) {
	csrf, err := widgetCSRFOf(page, "one-time code page")
	if err != nil {
		return "", err
	}
	code, err := s.mfa.get(ctx)
	if err != nil {
		return "", err
	}
	s.scrub = append(s.scrub, code)
	_, query, _ := strings.Cut(signinURL, "?")
	form := url.Values{"mfa-code": {code}, "embed": {"true"}, "_csrf": {csrf}, "fromPage": {"setupEnterMfaCode"}}
	page, err = c.formCall(ctx, s, http.MethodPost, pathWidgetMFA+"?"+query, form, c.hosts.sso+signinURL)
	if err != nil {
		return "", err
	}
	if t := pageTitle(page); t != "Success" {
		return "", fmt.Errorf("garmin: mfa code refused (widget page %q): %w", sanitizeWord(t), ErrBadCredentials)
	}
	return page, nil
}

func widgetCSRFOf(page, what string) (string, error) {
	m := widgetCSRF.FindStringSubmatch(page)
	if m == nil {
		return "", fmt.Errorf("garmin: widget sign-in: the %s has no _csrf field (title %q)", what, sanitizeWord(pageTitle(page)))
	}
	return html.UnescapeString(m[1]), nil
}

func pageTitle(page string) string {
	m := widgetTitle.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(m[1]))
}

func containsAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
