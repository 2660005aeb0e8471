package sandbox

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
)

// The HTML sign-in flows: the SSO embed widget's form and the portal page
// that precedes the portal's JSON login. They follow what
// python-garminconnect (garminconnect/client.py, Aug 2026) sends and parses:
// a hidden _csrf input, a <title> that is "Success" with a link carrying
// "?ticket=ST-…", an MFA page that sets `var mfaMethod = "…";`, and a code
// form posted to /sso/verifyMFA/loginEnterMfaCode. Page titles for a
// wrong password ("Invalid sign in") and a locked account ("Account
// Locked") are not recorded anywhere public; they use the words that
// client looks for ("invalid", "locked").

// WidgetCookie is the cookie the embed page sets and the form checks.
const WidgetCookie = "GARMIN-SSO-WIDGET"

// widgetSession is one browser session of the widget.
type widgetSession struct {
	csrf string
	// mfa is the account waiting for its one-time code; nil before.
	mfa *account
}

// signinState is the sandbox's state of the HTML flows.
type signinState struct {
	widget map[string]*widgetSession // by WidgetCookie
}

func htmlPage(status int, title, body string, hdr http.Header) reply {
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Set("Content-Type", "text/html;charset=UTF-8")
	page := "<!DOCTYPE html><html><head><title>" + html.EscapeString(title) + "</title></head><body>" + body + "</body></html>"
	return reply{status: status, header: hdr, body: []byte(page)}
}

func csrfInput(v string) string {
	return `<input type="hidden" name="_csrf" value="` + html.EscapeString(v) + `"/>`
}

// widgetEmbed serves GET /sso/embed: it starts a widget session.
func (s *Server) widgetEmbed(c *call) reply {
	if s.sso.widget == nil {
		s.sso.widget = make(map[string]*widgetSession)
	}
	sid := s.randomString(18)
	s.sso.widget[sid] = &widgetSession{}
	ck := &http.Cookie{Name: WidgetCookie, Value: sid, Path: "/sso", HttpOnly: true}
	return htmlPage(http.StatusOK, "GARMIN Authentication Application", "<div id=\"gauth-widget\"></div>", http.Header{"Set-Cookie": {ck.String()}})
}

// widgetSession finds the session of a widget request; nil without the
// embed page's cookie.
func (s *Server) widgetSession(c *call) *widgetSession {
	ck, err := c.r.Cookie(WidgetCookie)
	if err != nil {
		return nil
	}
	return s.sso.widget[ck.Value]
}

// widgetPage serves GET /sso/signin: the form with a fresh _csrf.
func (s *Server) widgetPage(c *call) reply {
	ws := s.widgetSession(c)
	if ws == nil {
		return htmlPage(http.StatusForbidden, "Forbidden", "no widget session: load /sso/embed first", nil)
	}
	if c.r.URL.Query().Get("service") == "" {
		return htmlPage(http.StatusBadRequest, "Bad Request", "service is required", nil)
	}
	ws.csrf = s.randomString(24)
	return htmlPage(http.StatusOK, "GARMIN Authentication Application",
		`<form method="post" id="login-form">`+csrfInput(ws.csrf)+`<input name="username"/><input name="password" type="password"/></form>`, nil)
}

// widgetForm checks a widget POST's session and _csrf and returns its form.
func (s *Server) widgetForm(c *call) (*widgetSession, url.Values, reply, bool) {
	ws := s.widgetSession(c)
	form, err := url.ParseQuery(string(c.body))
	if ws == nil || err != nil || ws.csrf == "" || form.Get("_csrf") != ws.csrf {
		return nil, nil, htmlPage(http.StatusForbidden, "Forbidden", "invalid csrf token", nil), false
	}
	ws.csrf = ""
	return ws, form, reply{}, true
}

// widgetSignin serves POST /sso/signin.
func (s *Server) widgetSignin(c *call) reply {
	ws, form, bad, ok := s.widgetForm(c)
	if !ok {
		return bad
	}
	a := s.accounts[strings.ToLower(strings.TrimSpace(form.Get("username")))]
	switch {
	case a != nil && a.LoginRateLimited:
		return htmlPage(http.StatusTooManyRequests, "Too Many Requests", "", nil)
	case a != nil && a.Locked:
		return htmlPage(http.StatusOK, "Account Locked", "", nil)
	case a == nil || a.Password != form.Get("password"):
		return htmlPage(http.StatusOK, "Invalid sign in", "", nil)
	case a.Captcha:
		// No public capture shows the widget's CAPTCHA page: a page the
		// client does not know, as the worst case.
		return htmlPage(http.StatusOK, "GARMIN Authentication Application", `<div id="captcha"></div>`, nil)
	case a.MFACode != "":
		ws.mfa = a
		ws.csrf = s.randomString(24)
		return htmlPage(http.StatusOK, "GARMIN Authentication Application",
			`<script>var mfaMethod = "email"; var codeSentTo = "a***@example.com";</script><form>`+csrfInput(ws.csrf)+`<input name="mfa-code"/></form>`, nil)
	}
	return s.widgetSuccess(c, a)
}

// widgetMFA serves POST /sso/verifyMFA/loginEnterMfaCode.
func (s *Server) widgetMFA(c *call) reply {
	ws, form, bad, ok := s.widgetForm(c)
	if !ok {
		return bad
	}
	if ws.mfa == nil {
		return htmlPage(http.StatusForbidden, "Forbidden", "no code was asked for", nil)
	}
	if form.Get("mfa-code") != ws.mfa.MFACode {
		ws.csrf = s.randomString(24)
		return htmlPage(http.StatusOK, "Enter MFA code for login", "wrong code"+csrfInput(ws.csrf), nil)
	}
	a := ws.mfa
	ws.mfa = nil
	return s.widgetSuccess(c, a)
}

// widgetSuccess issues a ticket for the form's service and links it, as the
// real Success page does.
func (s *Server) widgetSuccess(c *call, a *account) reply {
	service := c.r.URL.Query().Get("service")
	id := s.issueTicket(a, service, c.now)
	link := fmt.Sprintf(`<script>var response_url = "%s?ticket=%s";</script>`, html.EscapeString(service), id)
	return htmlPage(http.StatusOK, "Success", link, nil)
}

// portalPage serves GET /portal/sso/en-US/sign-in: the page a browser
// loads before the portal's JSON login.
func (s *Server) portalPage(c *call) reply {
	ck := &http.Cookie{Name: "GARMIN-SSO-PORTAL", Value: s.randomString(12), Path: "/portal", HttpOnly: true}
	return htmlPage(http.StatusOK, "Sign In | Garmin", `<div id="root"></div>`, http.Header{"Set-Cookie": {ck.String()}})
}
