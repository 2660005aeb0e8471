package garmin

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fitbit2garmin/internal/ctxsleep"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limiter paces requests; *rate.Limiter satisfies it. The client waits on it
// before every HTTP request it makes: data calls, each page of a range read,
// token refreshes and every step of a login.
type Limiter interface {
	Wait(ctx context.Context) error
}

// Options configure a Client.
type Options struct {
	// HTTPClient sends the data requests; nil means a client with a
	// one-minute timeout over NewStdTransport(Transport). When it is set and
	// SignInTransport is not, sign-in uses a copy of it too (with its own
	// cookie jar), so that a test or an embedder controls every request.
	HTTPClient *http.Client
	// Transport configures the transports the client builds itself (when
	// HTTPClient or SignInTransport is nil): trusted roots and proxy.
	Transport TransportOptions
	// SignInTransport returns the transport of the sign-in requests (SSO
	// host, DI token endpoint) that present fingerprint fp. Nil means
	// NewBrowserTransport(fp, Transport) when HTTPClient is nil.
	SignInTransport func(fp Fingerprint) (http.RoundTripper, error)
	// Sleep waits out the sign-in forms' anti-bot pauses; nil means a
	// timer honouring ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for token expiry and Retry-After dates; nil means time.Now.
	Now func() time.Time
	// BaseURL, when set, replaces every Garmin host (sso, diauth, connectapi,
	// connect) with one base URL; paths are kept and appended to it. Plain
	// http is refused except to a loopback host. Empty means the real hosts.
	BaseURL string
	// Limiter, when set, is waited on before every request.
	Limiter Limiter
	// Store holds the tokens. Data calls need it; Login saves into it when set.
	Store TokenStore
	// Logger, when set, gets one debug line per request (method, host, path,
	// status, duration, headers with Authorization and cookies redacted).
	// Bodies are never logged.
	Logger *slog.Logger
}

// Client calls Garmin Connect for one account. It is safe for concurrent use;
// concurrent callers share one token refresh.
//
// Errors of the data methods, for a caller to decide on:
//   - *RateLimitError: a 429 (status or JSON body); nothing was done.
//   - ErrUnauthorized (errors.Is): no tokens, or still 401 or 403 after one
//     refresh. A 401 or 403 is otherwise handled here: the tokens are
//     refreshed once and the request resent (it did not land).
//   - *OutcomeUnknownError (errors.Is ErrOutcomeUnknown), writes only: the
//     request may have been applied (transport error after it may have left,
//     timeout, reset, EOF, a 5xx, or a 2xx with a garbled body). Read back
//     before resending. If the context was cancelled meanwhile, the cause is
//     ctx.Err(), so errors.Is(err, context.Canceled) holds too.
//   - ctx.Err() itself: the context ended before anything was sent, or
//     during a read.
//   - *APIError: any other answer; a 4xx write did not land.
//
// The client never retries by itself except for that one resend after a
// refresh: pacing and retries belong to the caller.
type Client struct {
	http    *http.Client
	now     func() time.Time
	hosts   hosts
	limiter Limiter
	store   TokenStore
	log     *slog.Logger
	sleep   func(ctx context.Context, d time.Duration) error

	// signinRT gives the sign-in transports; nil means c.http's.
	signinRT func(Fingerprint) (http.RoundTripper, error)
	// noRefresh makes a 401 or 403 final (the probe that confirms a new
	// token must not refresh it).
	noRefresh bool
	// tokenMu guards tokenRT, the DI refresh's transport, made on first use.
	tokenMu sync.Mutex
	tokenRT http.RoundTripper

	// refreshSem lets one refresh run at a time; a channel so that waiting
	// for it honours the context.
	refreshSem chan struct{}

	// mu guards tok and unsaved, and serialises every Save so the file
	// never goes back to an older refresh token.
	mu      sync.Mutex
	tok     *Tokens // never modified once set: replaced by a new value
	unsaved bool    // tok is newer than the store (its Save failed)
}

// hosts are the base URLs of the four Garmin hosts.
type hosts struct {
	sso, diauth, connectAPI, connect string
}

// NewClient returns a client configured by opts.
func NewClient(opts Options) (*Client, error) {
	c := &Client{
		http:       opts.HTTPClient,
		now:        opts.Now,
		limiter:    opts.Limiter,
		store:      opts.Store,
		log:        opts.Logger,
		sleep:      opts.Sleep,
		signinRT:   opts.SignInTransport,
		refreshSem: make(chan struct{}, 1),
		hosts:      hosts{sso: hostSSO, diauth: hostDIAuth, connectAPI: hostConnectAPI, connect: hostConnect},
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: opts.Transport.timeout(), Transport: NewStdTransport(opts.Transport)}
		if c.signinRT == nil {
			to := opts.Transport
			c.signinRT = func(fp Fingerprint) (http.RoundTripper, error) { return NewBrowserTransport(fp, to) }
		}
	}
	if c.sleep == nil {
		c.sleep = ctxsleep.Sleep
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if opts.BaseURL != "" {
		base, err := parseBaseURL(opts.BaseURL)
		if err != nil {
			return nil, err
		}
		c.hosts = hosts{sso: base, diauth: base, connectAPI: base, connect: base}
	}
	return c, nil
}

// parseBaseURL checks a --garmin-url value and returns it without a
// trailing slash.
func parseBaseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("garmin: base url: %w", err)
	}
	if u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("garmin: base url %q: want scheme://host[:port][/path]", s)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("garmin: base url %q: no user, query or fragment allowed", u.Redacted())
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("garmin: base url %q: plain http is allowed only to a loopback host (tokens would travel in clear)", s)
		}
	default:
		return "", fmt.Errorf("garmin: base url %q: scheme must be https (or http to loopback)", s)
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// maxBody bounds how much of an answer is read.
const maxBody = 8 << 20

// exchange is a complete answer.
type exchange struct {
	status int
	header http.Header
	body   []byte
}

// roundTrip waits for the limiter, sends req with hc and reads the whole
// answer. sent reports whether the request may have reached Garmin: it is
// false only when nothing was sent for certain (the limiter or the context
// stopped it first, or the connection could not be opened).
func (c *Client) roundTrip(hc *http.Client, req *http.Request) (ex exchange, sent bool, err error) {
	return c.roundTripWait(hc, req, true)
}

// waitLimiter waits for the limiter, if any; an error only when the
// context ended (or the limiter cannot ever allow a request).
func (c *Client) waitLimiter(ctx context.Context) error {
	if c.limiter == nil {
		return nil
	}
	if err := c.limiter.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("rate limiter: %w", err)
	}
	return nil
}

// roundTripWait is roundTrip, waiting for the limiter only if wait is set
// (a caller that waited already, with another context, clears it).
func (c *Client) roundTripWait(hc *http.Client, req *http.Request, wait bool) (ex exchange, sent bool, err error) {
	ctx := req.Context()
	if wait {
		if err := c.waitLimiter(ctx); err != nil {
			return ex, false, err
		}
	}
	if err := ctx.Err(); err != nil {
		return ex, false, err
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelDebug, "garmin request failed",
			slog.String("method", req.Method), slog.String("host", req.URL.Host),
			slog.String("path", req.URL.Path), slog.Any("headers", redactHeaders(req.Header)),
			slog.Duration("duration", time.Since(start)), slog.String("error", err.Error()))
		return ex, !notSent(err), err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	c.log.LogAttrs(ctx, slog.LevelDebug, "garmin request",
		slog.String("method", req.Method), slog.String("host", req.URL.Host),
		slog.String("path", req.URL.Path), slog.Any("headers", redactHeaders(req.Header)),
		slog.Int("status", resp.StatusCode), slog.Any("response_headers", redactHeaders(resp.Header)),
		slog.Int("bytes", len(body)), slog.Duration("duration", time.Since(start)))
	ex = exchange{status: resp.StatusCode, header: resp.Header, body: body}
	if err != nil {
		return ex, true, fmt.Errorf("read answer: %w", err)
	}
	return ex, true, nil
}

// notSent reports whether a transport error proves that the request never
// left: the connection was not established (DNS, dial, TLS verification).
// Anything else may have been sent, whatever transport the caller injected.
func notSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr *tls.CertificateVerificationError
	return errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &certErr)
}

// call describes one data request.
type call struct {
	method string
	path   string // escaped path, appended to the host
	body   any    // JSON-encoded when non-nil
	write  bool   // the request changes data on Garmin

	// raw, when set, is sent as it is instead of body, as contentType
	// (the FIT upload's multipart form).
	raw         []byte
	contentType string

	// got, when set, receives the complete answer of any status but 401
	// (the activity upload reads its headers and its 409 body).
	got *exchange

	// asImport marks the activity import: with DI tokens it carries the
	// import headers (setImportHeaders). The web families already send
	// NK: NT, with the browser's Origin that their session needs.
	asImport bool
}

// do performs a data call with the current tokens, refreshing them once on
// a 401, and decodes a 2xx JSON answer into out (when out is non-nil and the
// body is not empty). It is the single place that maps answers to the typed
// errors of errors.go.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	payload, contentType := cl.raw, cl.contentType
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return fmt.Errorf("garmin: encode %s %s: %w", cl.method, cl.path, err)
		}
		payload, contentType = b, "application/json"
	}
	// The tokens are taken after the limiter's wait: a request queued
	// behind others must leave with the session cookie the latest answer
	// renewed, not the one current when it was queued.
	if err := c.waitLimiter(ctx); err != nil {
		return err
	}
	tok, err := c.currentTokens(ctx)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		req, err := c.dataRequest(ctx, cl, tok, payload, contentType)
		if err != nil {
			return err
		}
		ex, sent, err := c.roundTripWait(c.http, req, attempt > 0)
		if err != nil {
			return c.transportError(ctx, cl, sent, err)
		}
		if tok, err = c.keepCookies(ctx, tok, ex.header); err != nil {
			return err
		}
		if ex.status == http.StatusUnauthorized || ex.status == http.StatusForbidden {
			// A 401 means the request did not land: refresh once and
			// resend. So may a 403: an expired browser token is answered
			// with one (garmin-api.md, "What changed in 2025-26": a Deno
			// client refreshes on "403-NotAuthorized"); a second refusal
			// (a 403 for another reason, or a Cloudflare challenge) ends
			// as ErrUnauthorized.
			refused := &APIError{Method: cl.method, Path: cl.path, Status: ex.status, Body: scrubBody(ex.body, tok)}
			if attempt > 0 || c.noRefresh {
				return fmt.Errorf("garmin: %s %s: %s: %w: %w", cl.method, cl.path, refusedWords(attempt, ex.status), unauthorizedFor(tok), refused)
			}
			c.log.LogAttrs(ctx, slog.LevelDebug, "garmin token rejected, refreshing", slog.String("path", cl.path), slog.Int("status", ex.status))
			tok, err = c.refresh(ctx, tok)
			if err != nil && ex.status == http.StatusForbidden {
				// The 403 says more than the failed refresh it led to.
				return fmt.Errorf("%w (a token refresh after it failed too: %w)", refused, err)
			}
			if err != nil {
				return err
			}
			continue
		}
		if cl.got != nil {
			*cl.got = ex
		}
		return c.answer(cl, tok, ex, out)
	}
}

// dataRequest builds a data request with the host and headers of tok's family.
func (c *Client) dataRequest(ctx context.Context, cl call, tok *Tokens, payload []byte, contentType string) (*http.Request, error) {
	host := c.hosts.connectAPI
	switch tok.Family {
	case FamilyWeb:
		host = c.hosts.connect
	case FamilyWebSession:
		host = c.hosts.connect + pathGCAPI
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, host+cl.path, body)
	if err != nil {
		return nil, fmt.Errorf("garmin: build %s %s: %w", cl.method, cl.path, err)
	}
	switch tok.Family {
	case FamilyWeb:
		setWebHeaders(req.Header)
		req.Header.Set("Cookie", cookieJWTFGP+"="+tok.JWTFGP.Reveal())
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken.Reveal())
	case FamilyWebSession:
		setSessionHeaders(req.Header, tok)
	default:
		setDIHeaders(req.Header)
		if cl.asImport {
			setImportHeaders(req.Header)
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken.Reveal())
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}

// transportError maps an error of the transport (no complete answer).
//
// For a read, a cancelled context wins and is returned as is; otherwise the
// error is wrapped. For a write, what matters is whether it may have landed:
// if the request may have left, the result is an *OutcomeUnknownError even
// when the context was cancelled (its cause is then ctx.Err(), so both
// errors.Is(err, ErrOutcomeUnknown) and errors.Is(err, context.Canceled)
// hold): a caller that stops on Ctrl-C must still reconcile that write.
func (c *Client) transportError(ctx context.Context, cl call, sent bool, err error) error {
	if cl.write && sent {
		cause := err
		if ctx.Err() != nil {
			cause = ctx.Err()
		}
		return &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: cause}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("garmin: %s %s: %w", cl.method, cl.path, err)
}

// answer maps a complete non-401 answer.
func (c *Client) answer(cl call, tok *Tokens, ex exchange, out any) error {
	if rl := c.rateLimit(ex, false); rl != nil {
		return rl
	}
	if ex.status < 200 || ex.status > 299 {
		apiErr := &APIError{Method: cl.method, Path: cl.path, Status: ex.status, Body: scrubBody(ex.body, tok)}
		if cl.write && ex.status >= 500 {
			return &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: apiErr}
		}
		return apiErr
	}
	if out == nil || len(bytes.TrimSpace(ex.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(ex.body, out); err != nil {
		err = fmt.Errorf("decode answer (status %d): %w", ex.status, err)
		if cl.write {
			// The status says it landed, but a garbled answer is too odd to
			// trust: let the caller read back.
			return &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: err}
		}
		return fmt.Errorf("garmin: %s %s: %w", cl.method, cl.path, err)
	}
	return nil
}

// rateLimit returns a *RateLimitError for a 429 status or a JSON body of the
// form {"error":{"status-code":"429"}}, else nil.
func (c *Client) rateLimit(ex exchange, login bool) *RateLimitError {
	if ex.status != http.StatusTooManyRequests && !bodySays429(ex.body) {
		return nil
	}
	return &RateLimitError{RetryAfter: retryAfter(ex.header.Get("Retry-After"), c.now()), Login: login}
}

func bodySays429(body []byte) bool {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' || !bytes.Contains(body, []byte("429")) {
		return false
	}
	var v struct {
		Error struct {
			StatusCode json.RawMessage `json:"status-code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	s := strings.Trim(string(v.Error.StatusCode), `"`)
	return s == "429"
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
// Zero when absent, malformed or in the past.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > int64(maxRetryAfter/time.Second) {
			n = int64(maxRetryAfter / time.Second)
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// maxRetryAfter caps a Retry-After: beyond it the value is nonsense.
const maxRetryAfter = 365 * 24 * time.Hour

// refusedWords words a final 401 or 403.
func refusedWords(attempt, status int) string {
	if attempt > 0 {
		return fmt.Sprintf("still %d after a token refresh", status)
	}
	return fmt.Sprintf("answered %d", status)
}

// unauthorizedFor is the error of a final 401 or 403: for a browser
// session, the session has ended (only a fresh cURL helps).
func unauthorizedFor(tok *Tokens) error {
	if tok.Family == FamilyWebSession {
		return ErrSessionEnded
	}
	return ErrUnauthorized
}
