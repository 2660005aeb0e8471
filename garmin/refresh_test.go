package garmin

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// refreshServer registers a socialProfile handler that accepts only the
// access token current on the fake, and refresh handlers for both families
// that rotate every token. It checks that a new access token is never used
// before the store holds the matching refresh token.
type refreshServer struct {
	t         *testing.T
	f         *fixture
	mu        sync.Mutex
	current   *Tokens // what the fake accepts
	refresh   atomic.Int32
	data      atomic.Int32
	delay     time.Duration
	status    int // refresh answer status; 0 means 200
	gen       int
	rejectAll bool // answer 401 to every data call
}

func newRefreshServer(t *testing.T, tok *Tokens) *refreshServer {
	rs := &refreshServer{t: t, current: tok, f: setup(t, tok)}
	rs.f.mux.HandleFunc("/userprofile-service/socialProfile", rs.serveData)
	rs.f.mux.HandleFunc("/usersummary-service/usersummary/hydration/daily/{date}", rs.serveData)
	rs.f.mux.HandleFunc("/di-oauth2-service/oauth/token", rs.serveDI)
	rs.f.mux.HandleFunc("/services/auth/token/refresh", rs.serveWeb)
	return rs
}

func (rs *refreshServer) serveData(w http.ResponseWriter, r *http.Request) {
	rs.data.Add(1)
	rs.mu.Lock()
	cur := rs.current
	reject := rs.rejectAll
	rs.mu.Unlock()
	if reject || r.Header.Get("Authorization") != "Bearer "+cur.AccessToken.Reveal() {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"Token is not active"}`)
		return
	}
	if cur.Family == FamilyWeb && r.Header.Get("Cookie") != "JWT_FGP="+cur.JWTFGP.Reveal() {
		rs.t.Errorf("web data call with cookie %q", r.Header.Get("Cookie"))
	}
	// Persisted before use: the store must already hold what we accept.
	saved, err := rs.f.store.Load()
	if err != nil {
		rs.t.Errorf("store: %v", err)
	} else if saved.AccessToken != cur.AccessToken || saved.RefreshToken != cur.RefreshToken || saved.JWTFGP != cur.JWTFGP {
		rs.t.Errorf("access token used before the rotated tokens were saved")
	}
	fmt.Fprint(w, `{"profileId":42,"displayName":"d","userName":"u","calendarDate":"2024-05-15","valueInML":null}`)
}

// rotate makes new tokens of the same family and makes them current.
func (rs *refreshServer) rotate(old *Tokens) *Tokens {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.gen++
	name := fmt.Sprintf("gen%d", rs.gen)
	nt := diTokens(rs.t, name, testNow.Add(2*time.Hour))
	if old.Family == FamilyWeb {
		nt = webTokens(rs.t, name, testNow.Add(2*time.Hour))
	}
	rs.current = nt
	return nt
}

func (rs *refreshServer) answer(w http.ResponseWriter, r *http.Request, old *Tokens) {
	rs.refresh.Add(1)
	if rs.delay > 0 {
		select {
		case <-time.After(rs.delay):
		case <-r.Context().Done():
		}
	}
	if rs.status != 0 {
		w.WriteHeader(rs.status)
		fmt.Fprintf(w, `{"error":"invalid_grant","error_description":"refresh token %s is used"}`, old.RefreshToken.Reveal())
		return
	}
	nt := rs.rotate(old)
	if nt.Family == FamilyWeb {
		http.SetCookie(w, &http.Cookie{Name: "JWT_FGP", Value: nt.JWTFGP.Reveal(), Path: "/", HttpOnly: true, Secure: true})
	}
	fmt.Fprintf(w, `{"access_token":%q,"refresh_token":%q,"expires_in":7200,"token_type":"Bearer","jti":"x","scope":"CONNECT_READ"}`,
		nt.AccessToken.Reveal(), nt.RefreshToken.Reveal())
}

// refreshing checks that a refresh is a POST and returns the tokens it
// should present.
func (rs *refreshServer) refreshing(r *http.Request) *Tokens {
	testMethod(rs.t, r, http.MethodPost)
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.current
}

func (rs *refreshServer) serveDI(w http.ResponseWriter, r *http.Request) {
	t, old := rs.t, rs.refreshing(r)
	testHeader(t, r, "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(old.ClientID+":")))
	testHeader(t, r, "Content-Type", "application/x-www-form-urlencoded")
	testHeader(t, r, "User-Agent", "GCM-Android-5.23")
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"grant_type": "refresh_token", "client_id": old.ClientID, "refresh_token": old.RefreshToken.Reveal()}
	for k, v := range want {
		if got := r.PostForm.Get(k); got != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
	rs.answer(w, r, old)
}

func (rs *refreshServer) serveWeb(w http.ResponseWriter, r *http.Request) {
	t, old := rs.t, rs.refreshing(r)
	testHeader(t, r, "Cookie", "JWT_FGP="+old.JWTFGP.Reveal())
	testHeader(t, r, "Content-Type", "application/json")
	testHeader(t, r, "NK", "NT")
	testHeader(t, r, "DI-Backend", "connectapi.garmin.com")
	testJSONBody(t, r, fmt.Sprintf(`{"refresh_token":%q}`, old.RefreshToken.Reveal()))
	rs.answer(w, r, old)
}

func TestRefreshOn401(t *testing.T) {
	for _, fam := range []Family{FamilyDI, FamilyWeb} {
		t.Run(string(fam), func(t *testing.T) {
			// The token looks valid for an hour, but the server has revoked it.
			var old *Tokens
			if fam == FamilyDI {
				old = diTokens(t, "old", testNow.Add(time.Hour))
			} else {
				old = webTokens(t, "old", testNow.Add(time.Hour))
			}
			rs := newRefreshServer(t, old)
			rs.current = &Tokens{Family: fam, AccessToken: "revoked", RefreshToken: old.RefreshToken, ClientID: old.ClientID, JWTFGP: old.JWTFGP}

			p, err := rs.f.client.SocialProfile(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if p.ProfileID != 42 {
				t.Errorf("profile = %+v", p)
			}
			if n := rs.refresh.Load(); n != 1 {
				t.Errorf("refreshes = %d, want 1", n)
			}
			if n := rs.data.Load(); n != 2 {
				t.Errorf("data calls = %d, want 2 (401, then the resend)", n)
			}
			if n := rs.f.limiter.n.Load(); n != 3 {
				t.Errorf("limiter waits = %d, want 3 (call, refresh, resend)", n)
			}
			saved, err := rs.f.store.Load()
			if err != nil {
				t.Fatal(err)
			}
			want := rs.current.clone()
			want.ExpiresAt = testNow.Add(7200 * time.Second)
			want.Profile = &Profile{ProfileID: 42, DisplayName: "d", UserName: "u"}
			if diff := cmp.Diff(want, saved); diff != "" {
				t.Errorf("saved tokens (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRefreshFailures(t *testing.T) {
	noRefresh := diTokens(t, "old", testNow.Add(time.Hour))
	noRefresh.RefreshToken = ""
	tests := []struct {
		name      string
		tok       *Tokens
		status    int // the refresh's answer; 0: the server's default
		want      error
		refreshes int32
		data      int32
	}{
		{"still 401 after refresh", diTokens(t, "old", testNow.Add(time.Hour)), 0, ErrUnauthorized, 1, 2},
		{"refresh refused", webTokens(t, "old", testNow.Add(time.Hour)), http.StatusBadRequest, ErrUnauthorized, 1, 1},
		{"refresh rate limited", webTokens(t, "old", testNow.Add(time.Hour)), http.StatusTooManyRequests, nil, 1, 1},
		{"no refresh token", noRefresh, 0, ErrUnauthorized, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := newRefreshServer(t, tt.tok)
			rs.rejectAll = true
			if tt.status != 0 {
				rs.status = tt.status
			}
			_, err := rs.f.client.HydrationDay(context.Background(), "2024-05-15")
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var rl *RateLimitError
			if tt.want == nil && (!errors.As(err, &rl) || rl.Login) {
				t.Fatalf("error = %v, want a data RateLimitError", err)
			}
			if n := rs.refresh.Load(); n != tt.refreshes {
				t.Errorf("refreshes = %d, want exactly %d", n, tt.refreshes)
			}
			if n := rs.data.Load(); n != tt.data {
				t.Errorf("data calls = %d, want %d", n, tt.data)
			}
		})
	}
}

func TestEarlyRefresh(t *testing.T) {
	tests := []struct {
		name        string
		tok         *Tokens
		wantRefresh int32
	}{
		{"expires in 10 minutes", diTokens(t, "a", testNow.Add(10*time.Minute)), 1},
		{"expires in 14m59s", webTokens(t, "a", testNow.Add(15*time.Minute-time.Second)), 1},
		{"expired", diTokens(t, "a", testNow.Add(-time.Hour)), 1},
		{"expires in 16 minutes", diTokens(t, "a", testNow.Add(16*time.Minute)), 0},
		{"expiry unknown (not a JWT)", &Tokens{Family: FamilyDI, AccessToken: "opaque-token", RefreshToken: "r-token", ClientID: "C"}, 0},
		{"expires_in says soon, not a JWT", &Tokens{Family: FamilyDI, AccessToken: "opaque-token", RefreshToken: "r-token", ClientID: "C", ExpiresAt: testNow.Add(time.Minute)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := newRefreshServer(t, tt.tok)
			if _, err := rs.f.client.HydrationDay(context.Background(), "2024-05-15"); err != nil {
				t.Fatal(err)
			}
			if n := rs.refresh.Load(); n != tt.wantRefresh {
				t.Errorf("refreshes = %d, want %d", n, tt.wantRefresh)
			}
			if n := rs.data.Load(); n != 1 {
				t.Errorf("data calls = %d, want 1 (no 401 on the way)", n)
			}
		})
	}
}

func TestEarlyRefreshFailureKeepsValidToken(t *testing.T) {
	tok := diTokens(t, "a", testNow.Add(10*time.Minute))
	rs := newRefreshServer(t, tok)
	rs.status = http.StatusInternalServerError
	if _, err := rs.f.client.HydrationDay(context.Background(), "2024-05-15"); err != nil {
		t.Fatalf("call with a still-valid token failed: %v", err)
	}
	if !strings.Contains(rs.f.logs.String(), "early token refresh failed") {
		t.Error("the failed early refresh was not logged")
	}
}

// TestConcurrentCallersShareOneRefresh runs many callers at once against an
// expiring token and against a revoked one: Garmin sees one refresh.
func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	for _, revoked := range []bool{false, true} {
		t.Run(fmt.Sprintf("revoked=%v", revoked), func(t *testing.T) {
			exp := testNow.Add(5 * time.Minute)
			if revoked {
				exp = testNow.Add(time.Hour)
			}
			tok := diTokens(t, "old", exp)
			rs := newRefreshServer(t, tok)
			rs.delay = 50 * time.Millisecond
			if revoked {
				rs.current = &Tokens{Family: FamilyDI, AccessToken: "revoked", RefreshToken: tok.RefreshToken, ClientID: tok.ClientID}
			}
			const n = 32
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for range n {
				wg.Go(func() {
					_, err := rs.f.client.HydrationDay(context.Background(), "2024-05-15")
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if got := rs.refresh.Load(); got != 1 {
				t.Errorf("refreshes = %d, want 1", got)
			}
		})
	}
}

// failingStore fails Save while fail is set.
type failingStore struct {
	*MemoryTokenStore
	fail atomic.Bool
}

func (s *failingStore) Save(t *Tokens) error {
	if s.fail.Load() {
		return errors.New("disk full")
	}
	return s.MemoryTokenStore.Save(t)
}

func TestRotatedTokensNotUsedUntilSaved(t *testing.T) {
	tok := diTokens(t, "old", testNow.Add(5*time.Minute))
	rs := newRefreshServer(t, tok)
	fs := &failingStore{MemoryTokenStore: rs.f.store}
	rs.f.client.store = fs
	fs.fail.Store(true)
	_, err := rs.f.client.HydrationDay(context.Background(), "2024-05-15")
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("error = %v, want the save failure", err)
	}
	if n := rs.data.Load(); n != 0 {
		t.Fatalf("data calls = %d: the new access token was used unsaved", n)
	}
	_, err = rs.f.client.HydrationDay(context.Background(), "2024-05-15")
	if err == nil {
		t.Fatal("second call succeeded while the store still fails")
	}
	fs.fail.Store(false)
	if _, err := rs.f.client.HydrationDay(context.Background(), "2024-05-15"); err != nil {
		t.Fatal(err)
	}
	if n := rs.refresh.Load(); n != 1 {
		t.Errorf("refreshes = %d, want 1 (the rotated token is kept, not refreshed again)", n)
	}
}

func TestRefreshAdoptsTokensSavedElsewhere(t *testing.T) {
	tok := diTokens(t, "old", testNow.Add(time.Hour))
	rs := newRefreshServer(t, tok)
	if _, err := rs.f.client.HydrationDay(context.Background(), "2024-05-15"); err != nil {
		t.Fatal(err)
	}
	// Another process refreshes and saves; our in-memory tokens are stale.
	other := rs.rotate(tok)
	if err := rs.f.store.Save(other); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.f.client.HydrationDay(context.Background(), "2024-05-15"); err != nil {
		t.Fatal(err)
	}
	if n := rs.refresh.Load(); n != 0 {
		t.Errorf("refreshes = %d, want 0 (the saved tokens were newer)", n)
	}
}

func TestRefreshOutlivesCancel(t *testing.T) {
	tok := diTokens(t, "old", testNow.Add(5*time.Minute))
	rs := newRefreshServer(t, tok)
	ctx, cancel := context.WithCancel(context.Background())
	arrived := make(chan struct{})
	// Cancel the caller's context while the refresh is at Garmin.
	rs.delay = 100 * time.Millisecond
	go func() {
		for rs.refresh.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
		close(arrived)
	}()
	_, err := rs.f.client.HydrationDay(ctx, "2024-05-15")
	<-arrived
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	saved, err := rs.f.store.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs.mu.Lock()
	cur := rs.current
	rs.mu.Unlock()
	if saved.RefreshToken != cur.RefreshToken {
		t.Error("the rotated refresh token was lost when the caller cancelled")
	}
	if n := rs.data.Load(); n != 0 {
		t.Errorf("data calls = %d, want 0 after cancel", n)
	}
}
