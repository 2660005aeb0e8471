package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SessionCookie is the SSO session cookie that ties an MFA code to its login.
const SessionCookie = "SESSIONID"

// Login timings.
const (
	ticketTTL      = 5 * time.Minute
	mfaTTL         = 10 * time.Minute
	mfaMaxAttempts = 3
)

type ticket struct {
	acct    *account
	service string
	exp     time.Time
	used    bool
}

type mfaSession struct {
	acct     *account
	clientID string
	service  string
	exp      time.Time
	attempts int
}

func status(typ string) map[string]any {
	return map[string]any{"type": typ, "message": "", "httpStatus": ""}
}

// loginQuery checks the clientId and service query of the SSO calls.
func loginQuery(c *call) (clientID, service string, bad reply, ok bool) {
	q := c.r.URL.Query()
	clientID, service = q.Get("clientId"), q.Get("service")
	if clientID == "" || service == "" {
		return "", "", jsonError(http.StatusBadRequest, "clientId and service are required"), false
	}
	return clientID, service, reply{}, true
}

// login serves POST /mobile/api/login.
func (s *Server) login(c *call) reply {
	clientID, service, bad, ok := loginQuery(c)
	if !ok {
		return bad
	}
	var in struct {
		Username     string `json:"username"`
		Password     string `json:"password"`
		RememberMe   bool   `json:"rememberMe"`
		CaptchaToken string `json:"captchaToken"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil {
		return jsonError(http.StatusBadRequest, "malformed JSON body")
	}
	a := s.accounts[strings.ToLower(strings.TrimSpace(in.Username))]
	if a != nil && a.LoginRateLimited {
		return reply{status: http.StatusTooManyRequests, body: map[string]any{
			"error": map[string]any{"status-code": "429", "message": "Too Many Requests"},
		}}
	}
	if a != nil && a.Captcha {
		return reply{status: http.StatusOK, body: map[string]any{"responseStatus": status("CAPTCHA_REQUIRED")}}
	}
	if a == nil || a.Password != in.Password {
		return reply{status: http.StatusOK, body: map[string]any{"responseStatus": status("INVALID_USERNAME_PASSWORD")}}
	}
	if a.MFACode != "" {
		sid := s.randomString(24)
		s.mfa[sid] = &mfaSession{acct: a, clientID: clientID, service: service, exp: c.now.Add(mfaTTL)}
		ck := &http.Cookie{Name: SessionCookie, Value: sid, Path: "/", HttpOnly: true}
		return reply{
			status: http.StatusOK,
			header: http.Header{"Set-Cookie": {ck.String()}},
			body: map[string]any{
				"responseStatus":  status("MFA_REQUIRED"),
				"customerMfaInfo": map[string]any{"mfaLastMethodUsed": "email", "mfaMethods": []string{"email"}},
			},
		}
	}
	return s.success(a, service, c.now)
}

// issueTicket makes a service ticket for the account and service.
// Callers hold s.mu.
func (s *Server) issueTicket(a *account, service string, now time.Time) string {
	id := "ST-" + strconv.FormatInt(now.UnixMilli(), 10) + "-" + s.randomString(15) + "-cas"
	s.tickets[id] = &ticket{acct: a, service: service, exp: now.Add(ticketTTL)}
	return id
}

func (s *Server) success(a *account, service string, now time.Time) reply {
	id := s.issueTicket(a, service, now)
	return reply{status: http.StatusOK, body: map[string]any{
		"responseStatus":  status("SUCCESSFUL"),
		"serviceTicketId": id,
		"serviceURL":      service,
	}}
}

// verifyMFA serves POST /mobile/api/mfa/verifyCode.
func (s *Server) verifyMFA(c *call) reply {
	clientID, service, bad, ok := loginQuery(c)
	if !ok {
		return bad
	}
	invalid := reply{status: http.StatusUnauthorized, body: map[string]any{"responseStatus": status("INVALID_SESSION")}}
	ck, err := c.r.Cookie(SessionCookie)
	if err != nil {
		return invalid
	}
	m, ok := s.mfa[ck.Value]
	if !ok {
		return invalid
	}
	if !c.now.Before(m.exp) || m.clientID != clientID || m.service != service {
		delete(s.mfa, ck.Value)
		return invalid
	}
	var in struct {
		MFAMethod string `json:"mfaMethod"`
		Code      string `json:"mfaVerificationCode"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil || in.Code == "" {
		return jsonError(http.StatusBadRequest, "mfaVerificationCode is required")
	}
	if in.Code != m.acct.MFACode {
		m.attempts++
		if m.attempts >= mfaMaxAttempts {
			delete(s.mfa, ck.Value)
		}
		return reply{status: http.StatusOK, body: map[string]any{"responseStatus": status("INVALID_MFA_CODE")}}
	}
	delete(s.mfa, ck.Value)
	return s.success(m.acct, service, c.now)
}
