package garmin

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// baseURLPath is a non-empty prefix under which the test mux is mounted, so
// that a request built with an absolute path (ignoring BaseURL) fails.
const baseURLPath = "/api-v3"

// testNow is the fixed clock of the tests.
var testNow = time.Date(2024, 5, 15, 12, 0, 0, 0, time.UTC)

// fixture is a client wired to a test server.
type fixture struct {
	client  *Client
	mux     *http.ServeMux
	server  *httptest.Server
	store   *MemoryTokenStore
	limiter *countingLimiter
	logs    *syncBuffer
}

// setup starts a test server and a client whose tokens are tok (nil: none).
func setup(t *testing.T, tok *Tokens) *fixture {
	t.Helper()
	mux := http.NewServeMux()
	api := http.NewServeMux()
	api.Handle(baseURLPath+"/", http.StripPrefix(baseURLPath, mux))
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside %s: %s %s (absolute URL in the client?)", baseURLPath, r.Method, r.URL.Path)
		http.Error(w, "wrong base path", http.StatusBadGateway)
	})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	f := &fixture{
		mux:     mux,
		server:  srv,
		store:   NewMemoryTokenStore(tok),
		limiter: &countingLimiter{},
		logs:    &syncBuffer{},
	}
	c, err := NewClient(Options{
		HTTPClient: srv.Client(),
		Now:        func() time.Time { return testNow },
		BaseURL:    srv.URL + baseURLPath + "/",
		Limiter:    f.limiter,
		Store:      f.store,
		Logger:     slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.client = c
	return f
}

// handleAPI serves pattern with h after checking the method and the
// headers of tok's family, and returns the count of calls.
func (f *fixture) handleAPI(t *testing.T, pattern, method string, tok *Tokens, h http.HandlerFunc) *atomic.Int32 {
	var calls atomic.Int32
	f.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testMethod(t, r, method)
		testFamilyHeaders(t, r, tok)
		h(w, r)
	})
	return &calls
}

// countingLimiter counts Wait calls.
type countingLimiter struct{ n atomic.Int64 }

func (l *countingLimiter) Wait(ctx context.Context) error {
	l.n.Add(1)
	return ctx.Err()
}

// SyncBuffer is syncBuffer for the external tests (package garmin_test).
type SyncBuffer = syncBuffer

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// makeJWT returns an unsigned-looking JWT with the given claims.
func makeJWT(t testing.TB, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding
	h := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	p, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return h + "." + enc.EncodeToString(p) + ".c2lnbmF0dXJlLXNpZ25hdHVyZQ"
}

// diTokens returns DI tokens whose access token expires at exp; name makes
// the token values distinct.
func diTokens(t testing.TB, name string, exp time.Time) *Tokens {
	return &Tokens{
		Family:       FamilyDI,
		AccessToken:  Secret(makeJWT(t, map[string]any{"exp": exp.Unix(), "jti": "access-" + name, "client_id": "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"})),
		RefreshToken: Secret("refresh-" + name + "-R3fr3shS3cr3t"),
		ClientID:     "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
	}
}

// webTokens returns web-session tokens whose access token expires at exp.
func webTokens(t testing.TB, name string, exp time.Time) *Tokens {
	return &Tokens{
		Family:       FamilyWeb,
		AccessToken:  Secret(makeJWT(t, map[string]any{"exp": exp.Unix(), "jti": "web-" + name})),
		RefreshToken: Secret("webrefresh-" + name + "-R3fr3shS3cr3t"),
		JWTFGP:       Secret("fgp-" + name + "-F1ng3rpr1nt"),
	}
}

// testMethod fails unless r uses want.
func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("method = %s, want %s", r.Method, want)
	}
}

// testHeader fails unless header name of r is want.
func testHeader(t *testing.T, r *http.Request, name, want string) {
	t.Helper()
	if got := r.Header.Get(name); got != want {
		t.Errorf("header %s = %q, want %q", name, got, want)
	}
}

// testJSONBody fails unless r's body is the JSON want.
func testJSONBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	var got, w any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Errorf("body = %s, want %s", gb, wb)
	}
}

func ptr[T any](v T) *T { return &v }

// wantPaged checks a range read: the pages asked for, the records got in
// order, and one limiter wait per page.
func (f *fixture) wantPaged(t *testing.T, pages, wantPages, got, want []string) {
	t.Helper()
	if diff := cmp.Diff(wantPages, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if n := f.limiter.n.Load(); n != int64(len(wantPages)) {
		t.Errorf("limiter waited %d times, want %d (one per page)", n, len(wantPages))
	}
}
