package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fitbit2garmin/internal/ctxsleep"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Default values used when Options leaves a field zero.
const (
	DefaultAccessTTL  = time.Hour
	DefaultRefreshTTL = 30 * 24 * time.Hour
	DefaultGoalML     = 2000.0
)

// maxBody bounds what the fake reads of a request body.
const maxBody = 1 << 20

// Options configure a Server. The zero value is usable.
type Options struct {
	// Now is the clock for token expiry and the request log; time.Now if nil.
	Now func() time.Time
	// Sleep waits for fault latency; a real timer honouring ctx if nil.
	Sleep func(ctx context.Context, d time.Duration) error
	// Seed seeds the random source when Source is nil. Token strings, the
	// signing key and fault draws all derive from it.
	Seed uint64
	// Source, if set, is used instead of one seeded by Seed.
	Source rand.Source
	// AccessTTL is how long an access token lives (DefaultAccessTTL if 0).
	AccessTTL time.Duration
	// RefreshTTL is how long a refresh token lives (DefaultRefreshTTL if 0).
	RefreshTTL time.Duration
	// AccessMaxRequests ends an access token after that many authenticated
	// requests; 0 means unlimited.
	AccessMaxRequests int
	// DIClientIDs are the client ids the DI token endpoint accepts;
	// DefaultDIClientIDs() if nil.
	DIClientIDs []string
	// ExpiredForbidden answers an expired access token with 403 instead
	// of 401, as Garmin may for a browser's token (garmin-api.md, "What
	// changed in 2025-26": a Deno client refreshes on "403-NotAuthorized").
	ExpiredForbidden bool
	// UploadDelay is how long an accepted FIT upload takes to be
	// processed: its weigh-in is listed only that long after the 202.
	// 0 lists it at once. DefaultUploadDelay is a realistic value.
	UploadDelay time.Duration
	// WebRotateEvery renews a web session's JWT_WEB through Set-Cookie
	// every that many requests; the old one is refused as many requests
	// later (websession.go). 0 never renews.
	WebRotateEvery int
	// Challenge lists sign-in path prefixes ("/mobile/api/", "/sso/",
	// "/portal/") that the edge answers with Cloudflare's 403 challenge
	// page whatever the client, as when a flow is blocked (edge.go).
	Challenge []string
}

// DefaultUploadDelay is a realistic processing time for an uploaded FIT
// file: garth's recorded 202 says processingTime 36 (ms) for the upload
// itself, and the polled answer gives location-in-milliseconds 1000
// (garmin-api.md, Activities: Responses), so a client sees the result
// after about a second or more; 3 s makes the wait visible.
const DefaultUploadDelay = 3 * time.Second

// Account is a Garmin user of the fake.
type Account struct {
	Email    string
	Password string
	// ProfileID is the numeric user id (userId, profileId); assigned if 0.
	ProfileID int64
	// DisplayName is the public name (the email's local part if empty).
	DisplayName string
	// FullName is shown by socialProfile (DisplayName if empty).
	FullName string
	// GoalML is the daily hydration goal (DefaultGoalML if 0).
	GoalML float64
	// MFACode, if set, makes login answer MFA_REQUIRED and expect this code.
	MFACode string
	// LoginRateLimited makes every login for this account answer 429.
	LoginRateLimited bool
	// Captcha makes every login for this account answer CAPTCHA_REQUIRED.
	Captcha bool
	// TokensInactive makes the data API refuse every token issued to this
	// account with 401 "token is not active", as Garmin does for some
	// accounts and regions (python-garminconnect #369).
	TokensInactive bool
	// Locked makes the widget form answer "Account Locked".
	Locked bool
	// NoUploadConsent makes every FIT upload answer 412 until the account
	// gives its consent (SetUploadConsent): Garmin's answer when the
	// owner has not yet accepted the upload terms (La0/garmin-uploader
	// api.py, "You may have to give explicit consent for uploading files
	// to Garmin").
	NoUploadConsent bool
}

// Class says what kind of request a route serves, for fault scopes and
// the request log.
type Class int

// Route classes.
const (
	ClassRead  Class = iota + 1 // a data read
	ClassWrite                  // a data write
	ClassAuth                   // login, MFA, token exchange and refresh
	ClassOther                  // no route matched
)

func (c Class) String() string {
	return enumName(int(c), "Class", "", "read", "write", "auth", "other")
}

// Request is one entry of the request log. It never holds tokens.
type Request struct {
	Time   time.Time
	Method string
	Path   string // path only, no query
	Class  Class
	// Status is the HTTP status answered; 0 when the connection was closed
	// without an answer (KindReset, KindDropAfterCommit, client gone).
	Status int
	// Fault is the injected fault, KindNone if none.
	Fault Kind
	// Applied is true when the request changed stored data.
	Applied bool
	// Account is the email of the authenticated account, if any.
	Account string
}

// Server is the fake Garmin Connect. It is an http.Handler; all methods are
// safe for concurrent use.
type Server struct {
	opts      Options
	clientIDs map[string]bool
	firstID   string
	mux       *http.ServeMux
	key       []byte

	mu        sync.Mutex
	tokRand   *rand.Rand
	faultRand *rand.Rand
	accounts  map[string]*account // by lower-case email
	byProfile map[int64]*account
	nextID    int64
	uploads   int                      // FIT files accepted
	access    map[string]*accessToken  // by jti
	refresh   map[string]*refreshToken // by token
	tickets   map[string]*ticket
	mfa       map[string]*mfaSession // by session cookie
	faults    Faults
	inScope   int // requests in the fault scope since SetFaults
	failNext  []queuedFault
	reqs      []Request
	// lastSamplePK is the last weigh-in id given out (weight.go).
	lastSamplePK int64
	// acts is the activity state (activity.go).
	acts activityState
	// sso is the state of the HTML sign-in flows (signin.go).
	sso signinState
	// edge is what the TLS edge saw and refuses (edge.go).
	edge edgeState
	// sessions are the browsers' cookie sessions, by SESSIONID (websession.go).
	sessions map[string]*browserSession
}

type account struct {
	Account
	days   map[string]*day // hydration by calendar date
	weight weightStore     // weigh-ins (weight.go)
	// activities are the account's activities (activity.go).
	activities []*Activity
}

type day struct {
	ml        float64
	lastEntry string // timestampLocal of the last entry
}

// New returns a Server with no accounts.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = ctxsleep.Sleep
	}
	if opts.AccessTTL <= 0 {
		opts.AccessTTL = DefaultAccessTTL
	}
	if opts.RefreshTTL <= 0 {
		opts.RefreshTTL = DefaultRefreshTTL
	}
	if opts.DIClientIDs == nil {
		opts.DIClientIDs = DefaultDIClientIDs()
	}
	src := opts.Source
	if src == nil {
		src = rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)
	}
	// Faults draw from their own stream so issuing tokens does not shift
	// which requests fail.
	faultRand := rand.New(src)
	tokRand := rand.New(rand.NewPCG(faultRand.Uint64(), faultRand.Uint64()))
	s := &Server{
		opts:      opts,
		clientIDs: make(map[string]bool),
		mux:       http.NewServeMux(),
		tokRand:   tokRand,
		faultRand: faultRand,
		accounts:  make(map[string]*account),
		byProfile: make(map[int64]*account),
		nextID:    1000001,
		access:    make(map[string]*accessToken),
		refresh:   make(map[string]*refreshToken),
		tickets:   make(map[string]*ticket),
		mfa:       make(map[string]*mfaSession),
	}
	for _, id := range opts.DIClientIDs {
		s.clientIDs[id] = true
		if s.firstID == "" {
			s.firstID = id
		}
	}
	s.key = s.randomBytes(32)
	for _, rt := range s.routeTable() {
		s.mux.HandleFunc(rt.method+" "+rt.path, func(w http.ResponseWriter, r *http.Request) {
			s.serveRoute(rt, w, r)
		})
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.serveRoute(route{class: ClassOther, handle: notFound}, w, r)
	})
	return s
}

// ServeHTTP serves every Garmin host's paths.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Start serves s on a new 127.0.0.1 port until ctx is done and returns the
// base URL ("http://127.0.0.1:PORT").
func (s *Server) Start(ctx context.Context) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("sandbox listen: %w", err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return "http://" + ln.Addr().String(), nil
}

// AddAccount adds a user. The email must be new; a zero ProfileID is
// assigned.
func (s *Server) AddAccount(a Account) error {
	key := strings.ToLower(strings.TrimSpace(a.Email))
	if key == "" {
		return errors.New("sandbox: account needs an email")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[key]; ok {
		return fmt.Errorf("sandbox: account %s exists", a.Email)
	}
	if a.ProfileID == 0 {
		for s.byProfile[s.nextID] != nil {
			s.nextID++
		}
		a.ProfileID = s.nextID
		s.nextID++
	}
	if _, ok := s.byProfile[a.ProfileID]; ok {
		return fmt.Errorf("sandbox: profile id %d in use", a.ProfileID)
	}
	if a.DisplayName == "" {
		a.DisplayName, _, _ = strings.Cut(a.Email, "@")
	}
	if a.FullName == "" {
		a.FullName = a.DisplayName
	}
	if a.GoalML == 0 {
		a.GoalML = DefaultGoalML
	}
	acct := &account{Account: a, days: make(map[string]*day)}
	s.accounts[key] = acct
	s.byProfile[a.ProfileID] = acct
	return nil
}

// Account returns the stored account for an email or decimal profile id,
// with defaults filled in.
func (s *Server) Account(who string) (Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(who)
	if a == nil {
		return Account{}, false
	}
	return a.Account, true
}

// locked takes s.mu and finds an account that must exist (lookup). The
// caller defers unlock; on an error the lock is not held.
func (s *Server) locked(who string) (a *account, unlock func(), err error) {
	s.mu.Lock()
	if a = s.lookup(who); a == nil {
		s.mu.Unlock()
		return nil, nil, fmt.Errorf("sandbox: no account %q", who)
	}
	return a, s.mu.Unlock, nil
}

// lookup finds an account by email or decimal profile id. Callers hold s.mu.
func (s *Server) lookup(who string) *account {
	if a, ok := s.accounts[strings.ToLower(strings.TrimSpace(who))]; ok {
		return a
	}
	if id, err := strconv.ParseInt(who, 10, 64); err == nil {
		return s.byProfile[id]
	}
	return nil
}

// Total returns the hydration total of an account (email or profile id) on
// a date (YYYY-MM-DD); ok is false when nothing was logged that day.
func (s *Server) Total(who, date string) (ml float64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(who)
	if a == nil {
		return 0, false
	}
	d, ok := a.days[date]
	if !ok {
		return 0, false
	}
	return d.ml, true
}

// SetTotal preloads a day's hydration total, as if logged by someone else.
func (s *Server) SetTotal(who, date string, ml float64) error {
	if _, err := parseDate(date); err != nil {
		return fmt.Errorf("sandbox: set total: %w", err)
	}
	a, unlock, err := s.locked(who)
	if err != nil {
		return err
	}
	defer unlock()
	a.days[date] = &day{ml: ml, lastEntry: date + "T12:00:00.000"}
	return nil
}

// Totals returns a copy of every logged day's total of an account.
func (s *Server) Totals(who string) map[string]float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]float64)
	a := s.lookup(who)
	if a == nil {
		return out
	}
	for date, d := range a.days {
		out[date] = d.ml
	}
	return out
}

// Requests returns a copy of the request log, in order of arrival.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	out := append([]Request(nil), s.reqs...)
	s.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Request) int { return a.Time.Compare(b.Time) })
	return out
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = nil
}

// route is one entry of the route table.
type route struct {
	method string
	path   string // ServeMux pattern without the method
	class  Class
	// auth requires a bearer access token; the handler gets its account.
	auth bool
	// diBackend makes web-family tokens need "DI-Backend: connectapi.garmin.com".
	diBackend bool
	// session authorizes by the web app's cookie session (a /gc-api/ route).
	session bool
	// handle runs under s.mu.
	handle func(s *Server, c *call) reply
}

// call is what a handler sees of a request.
type call struct {
	r    *http.Request
	body []byte
	acct *account // set on auth routes
	now  time.Time
	// setCookies are added to the answer (a renewed JWT_WEB).
	setCookies []*http.Cookie
}

// reply is a handler's answer. body is JSON-encoded unless it is []byte.
type reply struct {
	status  int
	body    any
	header  http.Header
	applied bool
}

func notFound(_ *Server, c *call) reply {
	return jsonError(http.StatusNotFound, "not found: "+c.r.URL.Path)
}

func jsonError(status int, msg string) reply {
	return reply{status: status, body: map[string]any{"message": msg, "error": http.StatusText(status)}}
}

// serveRoute runs one request: faults, authentication, the handler, the log.
func (s *Server) serveRoute(rt route, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	// The log keeps when a request arrived, before any injected latency,
	// so pacing is measured as the client sent it.
	rec := Request{Time: s.opts.Now(), Method: r.Method, Path: r.URL.Path, Class: rt.class}
	if err != nil {
		s.log(rec)
		return
	}

	s.mu.Lock()
	if s.edgeRefuses(r) {
		rep := s.challengePage()
		s.mu.Unlock()
		rec.Status = rep.status
		s.log(rec)
		writeReply(w, rep)
		return
	}
	fault, latency, retryAfter := s.pickFault(rt.class)
	s.mu.Unlock()
	rec.Fault = fault

	if latency > 0 {
		if err := s.opts.Sleep(r.Context(), latency); err != nil {
			s.log(rec)
			return
		}
	}
	if fault == KindReset {
		s.log(rec)
		closeConn(w)
		return
	}
	if rep, ok := faultReply(fault, retryAfter); ok {
		rec.Status = rep.status
		s.log(rec)
		writeReply(w, rep)
		return
	}

	var rep reply
	if len(body) > maxBody {
		rep = jsonError(http.StatusRequestEntityTooLarge, "body too large")
	} else {
		s.mu.Lock()
		c := &call{r: r, body: body, now: s.opts.Now()}
		rep = s.authorize(rt, c)
		if rep.status == 0 {
			rep = rt.handle(s, c)
		}
		for _, ck := range c.setCookies {
			if rep.header == nil {
				rep.header = http.Header{}
			}
			rep.header.Add("Set-Cookie", ck.String())
		}
		if c.acct != nil {
			rec.Account = c.acct.Email
		}
		s.mu.Unlock()
	}
	rec.Applied = rep.applied
	if fault == KindDropAfterCommit {
		s.log(rec)
		closeConn(w)
		return
	}
	rec.Status = rep.status
	s.log(rec)
	writeReply(w, rep)
}

func (s *Server) log(rec Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec.Time.IsZero() {
		rec.Time = s.opts.Now()
	}
	s.reqs = append(s.reqs, rec)
}

func writeReply(w http.ResponseWriter, rep reply) {
	for k, vs := range rep.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	var b []byte
	switch v := rep.body.(type) {
	case nil:
	case []byte:
		b = v
	default:
		var err error
		b, err = json.Marshal(v)
		if err != nil {
			http.Error(w, "sandbox: encode reply: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(b)
}

// closeConn ends the connection without an answer, as a reset.
func closeConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
