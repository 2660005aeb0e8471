package garmin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"sync"
	"time"
)

// LoginRequest is what Login needs from the user.
type LoginRequest struct {
	Email    string
	Password string
	// MFA returns the one-time code when Garmin asks for one; nil makes
	// such a login fail with ErrMFARequired. It is called at most once per
	// Login: a later strategy that is asked for a code reuses it.
	MFA func(ctx context.Context) (string, error)
	// Strategies restricts the chain to these strategy names ("mobile",
	// "widget", "portal"), in the chain's order; empty means all.
	Strategies []string
}

// String implements fmt.Stringer without the password.
func (r LoginRequest) String() string {
	return fmt.Sprintf("garmin.LoginRequest{Email:%q Password:%s}", r.Email, Secret(r.Password))
}

// Format implements fmt.Formatter so that no verb shows the password.
func (r LoginRequest) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(r.String())) }

// Strategy names, for LoginRequest.Strategies and the log.
const (
	StrategyMobile = "mobile"
	StrategyWidget = "widget"
	StrategyPortal = "portal"
)

// strategy is one way of signing in, tried with each of its fingerprints.
type strategy struct {
	name string
	fps  []Fingerprint
	run  func(c *Client, ctx context.Context, s *signin) (*Tokens, error)
}

// strategies is the chain of python-garminconnect's login() (Aug 2026):
// the mobile iOS API login with browser fingerprints, the same with Go's
// own TLS, the SSO embed widget's HTML form, the portal's web form with
// browser fingerprints and the same with Go's TLS. Its widget step
// impersonates Chrome only; the issue asks for Chrome or Safari, so Safari
// follows Chrome here.
func strategies() []strategy {
	return []strategy{
		{name: StrategyMobile, fps: append(mobileFingerprints(), FingerprintGo), run: (*Client).mobileLogin},
		{name: StrategyWidget, fps: []Fingerprint{FingerprintChrome, FingerprintSafari}, run: (*Client).widgetLogin},
		{name: StrategyPortal, fps: append(formFingerprints(), FingerprintGo), run: (*Client).portalLogin},
	}
}

// Sign-in errors that end the chain: a real answer about the account.
var (
	// ErrAccountLocked is a locked account (the widget's page title).
	ErrAccountLocked = errors.New("garmin: the account is locked; unlock it at connect.garmin.com")
	// ErrTokenRejected is a token Garmin issued and its API then refused
	// ("Token is not active", python-garminconnect #369).
	ErrTokenRejected = errors.New("garmin: Garmin issued a token its API refuses (\"token is not active\")")
)

// LoginError is a sign-in where every strategy failed without a final
// answer. Tried names each attempt ("mobile+safari_ios") and why it failed.
type LoginError struct {
	Tried []string
	Errs  []error
}

func (e *LoginError) Error() string {
	var b strings.Builder
	b.WriteString("garmin: every sign-in strategy failed:")
	for i, name := range e.Tried {
		fmt.Fprintf(&b, "\n  %s: %v", name, e.Errs[i])
	}
	return b.String()
}

// Unwrap gives every attempt's error, so errors.Is(err, ErrTokenRejected)
// holds when any attempt got a refused token.
func (e *LoginError) Unwrap() []error { return e.Errs }

// signin is the state of one Login shared by its strategies.
type signin struct {
	lr    LoginRequest
	fp    Fingerprint
	hc    *http.Client // this attempt's client: fingerprint and cookie jar
	mfa   *mfaOnce
	scrub []string
}

// mfaOnce asks for the one-time code once and reuses it.
type mfaOnce struct {
	mu   sync.Mutex
	ask  func(ctx context.Context) (string, error)
	code string
}

func (m *mfaOnce) get(ctx context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.code != "" {
		return m.code, nil
	}
	if m.ask == nil {
		return "", ErrMFARequired
	}
	code, err := m.ask(ctx)
	if errors.Is(err, ErrMFARequired) {
		return "", err
	}
	if err != nil {
		return "", fmt.Errorf("%w: %w", errMFAPrompt, err)
	}
	if code = strings.TrimSpace(code); code == "" {
		return "", ErrMFARequired
	}
	m.code = code
	return code, nil
}

// Login signs in with email and password and returns new DI tokens,
// trying the strategies of python-garminconnect in order (see strategies),
// each with its browser fingerprints in turn. Every token obtained is
// confirmed with one socialProfile read before it is kept; a refused one
// moves on to the next strategy.
//
// The chain stops at once on a real answer, without another login request:
// a 429 (*RateLimitError with Login set: retrying re-arms Garmin's limit,
// garmin-api.md "Errors and limits"), a wrong password or refused code
// (ErrBadCredentials), a CAPTCHA (ErrCaptcha), a locked account
// (ErrAccountLocked), or a code that is needed and cannot be had
// (ErrMFARequired). Otherwise, when every strategy fails, the error is a
// *LoginError listing them. The strategy that worked is logged at Info.
//
// On success the tokens are saved in the store (when the client has one)
// and become the client's tokens.
func (c *Client) Login(ctx context.Context, lr LoginRequest) (*Tokens, error) {
	if lr.Email == "" || lr.Password == "" {
		return nil, errors.New("garmin: login needs an email and a password")
	}
	chain, err := pickStrategies(lr.Strategies)
	if err != nil {
		return nil, err
	}
	s := &signin{lr: lr, mfa: &mfaOnce{ask: lr.MFA}, scrub: []string{lr.Password}}
	failed := &LoginError{}
	for _, st := range chain {
		tok, err := c.tryStrategy(ctx, st, s, failed)
		if err != nil {
			return nil, err
		}
		if tok != nil {
			if err := c.setTokens(tok); err != nil {
				return nil, err
			}
			return tok.clone(), nil
		}
	}
	return nil, failed
}

// tryStrategy runs one strategy with each of its fingerprints until one
// gives a confirmed token (returned), a final error (returned as err) or
// an error another fingerprint cannot mend (recorded in failed; nil, nil).
func (c *Client) tryStrategy(ctx context.Context, st strategy, s *signin, failed *LoginError) (*Tokens, error) {
	fps := st.fps
	if c.signinRT == nil {
		// One injected transport: every fingerprint would be the same.
		fps = fps[:1]
	}
	for _, fp := range fps {
		name := st.name
		if c.signinRT != nil {
			name += "+" + string(fp)
		}
		hc, err := c.signinClient(fp)
		if err != nil {
			failed.Tried, failed.Errs = append(failed.Tried, name), append(failed.Errs, err)
			continue
		}
		s.fp, s.hc = fp, hc
		c.log.LogAttrs(ctx, slog.LevelDebug, "garmin sign-in: trying", slog.String("strategy", name))
		tok, err := st.run(c, ctx, s)
		if err == nil {
			err = c.confirm(ctx, tok)
		}
		if err == nil {
			c.log.LogAttrs(ctx, slog.LevelInfo, "garmin sign-in: signed in", slog.String("strategy", name))
			return tok, nil
		}
		if finalLoginError(ctx, err) {
			return nil, err
		}
		c.log.LogAttrs(ctx, slog.LevelInfo, "garmin sign-in: strategy failed", slog.String("strategy", name), slog.String("error", err.Error()))
		failed.Tried, failed.Errs = append(failed.Tried, name), append(failed.Errs, err)
		if !errors.Is(err, ErrChallenged) && !isTransport(err) {
			// Another fingerprint cannot mend a refused token or an
			// unexpected page: go to the next strategy.
			return nil, nil
		}
	}
	return nil, nil
}

// finalLoginError reports whether err ends the chain.
func finalLoginError(ctx context.Context, err error) bool {
	var rl *RateLimitError
	return ctx.Err() != nil || errors.As(err, &rl) ||
		errors.Is(err, ErrBadCredentials) || errors.Is(err, ErrCaptcha) ||
		errors.Is(err, ErrAccountLocked) || errors.Is(err, ErrMFARequired) ||
		errors.Is(err, errMFAPrompt)
}

// errMFAPrompt marks a failure to read the code from the user.
var errMFAPrompt = errors.New("garmin: read mfa code")

// transportError marks an attempt that got no answer (a TLS or network
// failure), which another fingerprint may avoid.
type signinTransportError struct{ err error }

func (e *signinTransportError) Error() string { return "no answer: " + e.err.Error() }
func (e *signinTransportError) Unwrap() error { return e.err }

func isTransport(err error) bool {
	var te *signinTransportError
	return errors.As(err, &te)
}

// UnknownStrategyError is a LoginRequest.Strategies name that is not one
// of StrategyMobile, StrategyWidget and StrategyPortal; nothing is sent.
type UnknownStrategyError struct{ Name string }

func (e *UnknownStrategyError) Error() string {
	return fmt.Sprintf("unknown sign-in strategy %q: want %s, %s or %s", e.Name, StrategyMobile, StrategyWidget, StrategyPortal)
}

// CheckStrategies reports the first name that is no strategy, as an
// *UnknownStrategyError; Login checks the same before sending anything.
func CheckStrategies(names []string) error {
	_, err := pickStrategies(names)
	return err
}

// pickStrategies keeps the chain's strategies that names asks for, in the
// chain's order; all of them when names is empty.
func pickStrategies(names []string) ([]strategy, error) {
	all := strategies()
	if len(names) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if !slices.ContainsFunc(all, func(st strategy) bool { return st.name == n }) {
			return nil, &UnknownStrategyError{Name: n}
		}
		want[n] = true
	}
	return slices.DeleteFunc(all, func(st strategy) bool { return !want[st.name] }), nil
}

// signinClient returns a client for one sign-in attempt: fp's transport
// (the injected HTTP client's when no sign-in transport is configured) and a
// cookie jar of its own, kept out of the data client.
func (c *Client) signinClient(fp Fingerprint) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	if c.signinRT == nil {
		hc := *c.http
		hc.Jar = jar
		return &hc, nil
	}
	rt, err := c.signinRT(fp)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: rt, Jar: jar, Timeout: c.http.Timeout}, nil
}

// confirm reads socialProfile with a new token before it is kept: Garmin
// can issue a token its API tier refuses ("Token is not active",
// python-garminconnect #369; its login() checks every strategy's token with
// _verify_token). A 401 or 403 is ErrTokenRejected; another failure (a
// 5xx, a timeout) proves nothing either way and keeps the token.
func (c *Client) confirm(ctx context.Context, tok *Tokens) error {
	probe := &Client{
		http: c.http, now: c.now, hosts: c.hosts, limiter: c.limiter, log: c.log,
		store: NewMemoryTokenStore(tok), refreshSem: make(chan struct{}, 1), noRefresh: true,
	}
	p, err := probe.SocialProfile(ctx)
	if errors.Is(err, ErrUnauthorized) {
		// Not wrapped: the saved tokens are not at fault, so this must
		// not read as ErrUnauthorized.
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			return fmt.Errorf("%w (socialProfile answered %d: %s)", ErrTokenRejected, apiErr.Status, apiErr.Body)
		}
		return ErrTokenRejected
	}
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "garmin sign-in: could not confirm the new token", slog.String("error", err.Error()))
		return nil
	}
	tok.Profile = p
	return nil
}

// pause waits a random time in [lo, hi) between a form's GET and its POST:
// Cloudflare flags a fast GET→POST as a bot (python-garminconnect:
// WIDGET_DELAY 3–8 s, LOGIN_DELAY 10–20 s for the portal).
func (c *Client) pause(ctx context.Context, lo, hi time.Duration) error {
	d := lo + rand.N(hi-lo)
	c.log.LogAttrs(ctx, slog.LevelInfo, "garmin sign-in: pausing before the form is sent", slog.Duration("pause", d.Round(time.Second)))
	return c.sleep(ctx, d)
}

// sanitizeWord keeps an answer's status word printable and short.
func sanitizeWord(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 40 {
			break
		}
		if r == '_' || r == '-' || r == ' ' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}
