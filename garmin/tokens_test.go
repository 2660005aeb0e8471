package garmin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"context"
	goldenfile "fitbit2garmin/internal/golden"
	"net/http"
	"sync"
)

// golden compares got with testdata/name (go test -update rewrites it).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

// fixedTokens are tokens with stable values for golden files.
func fixedTokens() *Tokens {
	return &Tokens{
		Family:       FamilyWeb,
		AccessToken:  "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3MTU3NzYwMDB9.c2lnbmF0dXJl",
		RefreshToken: "refresh-AAAABBBBCCCC",
		JWTFGP:       "fgp-DDDDEEEEFFFF",
		ExpiresAt:    time.Date(2024, 5, 15, 12, 40, 0, 0, time.UTC),
		Profile:      &Profile{ProfileID: 1337, DisplayName: "runner42", UserName: "runner@example.com"},
	}
}

func TestFileTokenStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", "fitbit2garmin")
	s := NewFileTokenStore(dir)
	if _, err := s.Load(); !errors.Is(err, ErrNoTokens) || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("Load of a missing file: %v, want ErrNoTokens", err)
	}
	tok := fixedTokens()
	if err := s.Save(tok); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("token file mode = %o, want 600", m)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := di.Mode().Perm(); m != 0o700 {
		t.Errorf("config dir mode = %o, want 700", m)
	}
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tok, got); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
	b, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "tokens.golden.json", b)

	// A file left with a loose mode is replaced by a 0600 one.
	if err := os.Chmod(s.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	tok2 := tok.clone()
	tok2.RefreshToken = "refresh-rotated"
	if err := s.Save(tok2); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(s.Path()); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after replacing = %o, want 600", fi.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != TokenFileName {
		t.Errorf("config dir holds %v, want only %s (no temporary files)", entries, TokenFileName)
	}
	if got, _ := s.Load(); got == nil || got.RefreshToken != "refresh-rotated" {
		t.Error("second Save did not replace the tokens")
	}

	if err := s.Delete(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); !errors.Is(err, ErrNoTokens) {
		t.Errorf("Load after Delete: %v, want ErrNoTokens", err)
	}
	if err := s.Delete(); err != nil {
		t.Errorf("second Delete: %v", err)
	}
}

func TestFileTokenStoreBadFile(t *testing.T) {
	tests := []struct {
		name, content string
	}{
		{"not json", `access_token=SECRET-VALUE-1234`},
		{"wrong version", `{"version":9,"family":"di","access_token":"SECRET-VALUE-1234"}`},
		{"no access token", `{"version":1,"family":"di","refresh_token":"SECRET-VALUE-1234"}`},
		{"unknown family", `{"version":1,"family":"oauth1","access_token":"SECRET-VALUE-1234"}`},
		{"wrong type", `{"version":1,"family":"di","access_token":["SECRET-VALUE-1234"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, TokenFileName), []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := NewFileTokenStore(dir).Load()
			if err == nil {
				t.Fatal("Load accepted a bad file")
			}
			if strings.Contains(err.Error(), "SECRET-VALUE") {
				t.Errorf("error shows the file's content: %v", err)
			}
		})
	}
}

func TestTokensNeverPrinted(t *testing.T) {
	tok := fixedTokens()
	secrets := []string{tok.AccessToken.Reveal(), tok.RefreshToken.Reveal(), tok.JWTFGP.Reveal()}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		outs = append(outs, fmt.Sprintf(verb, *tok), fmt.Sprintf(verb, tok), fmt.Sprintf(verb, tok.AccessToken),
			fmt.Sprintf(verb, []*Tokens{tok}), fmt.Sprintf(verb, struct{ T Tokens }{*tok}))
	}
	outs = append(outs, tok.String(), tok.GoString(), fmt.Sprint(tok), fmt.Sprintln(tok.RefreshToken, tok.JWTFGP))
	for _, v := range []any{tok, *tok, tok.AccessToken, map[string]any{"t": tok}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(b))
	}
	txt, _ := tok.MarshalText()
	outs = append(outs, string(txt))
	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		l := slog.New(h)
		l.Info("tokens", "t", tok, "v", *tok, "a", tok.AccessToken, "any", any(tok.RefreshToken))
	}
	outs = append(outs, logs.String())
	for _, out := range outs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("output shows a secret: %s", out)
			}
		}
	}
	// And the redacted form still says what is there.
	if s := tok.String(); !strings.Contains(s, "family=web") || !strings.Contains(s, "refresh=[redacted]") || !strings.Contains(s, "1337") {
		t.Errorf("String() = %s", s)
	}
}

func TestDecodeJWT(t *testing.T) {
	tests := []struct {
		name    string
		token   string
		want    jwtClaims
		wantErr bool
	}{
		{"exp and client_id", makeJWT(t, map[string]any{"exp": 1715776000, "client_id": "CID"}), jwtClaims{Exp: time.Unix(1715776000, 0).UTC(), ClientID: "CID"}, false},
		{"fractional exp", makeJWT(t, map[string]any{"exp": 1715776000.5}), jwtClaims{Exp: time.Unix(1715776000, 5e8).UTC()}, false},
		{"no exp", makeJWT(t, map[string]any{"sub": "x"}), jwtClaims{}, false},
		{"null exp", makeJWT(t, map[string]any{"exp": nil}), jwtClaims{}, false},
		{"exp a string", makeJWT(t, map[string]any{"exp": "soon"}), jwtClaims{}, true},
		{"exp negative", makeJWT(t, map[string]any{"exp": -5}), jwtClaims{}, true},
		{"exp huge", makeJWT(t, map[string]any{"exp": 1e300}), jwtClaims{}, true},
		{"client_id a number", makeJWT(t, map[string]any{"client_id": 5}), jwtClaims{}, false},
		{"padded payload", "e30." + "eyJleHAiOjEwfQ==" + ".sig", jwtClaims{Exp: time.Unix(10, 0).UTC()}, false},
		{"opaque", "not-a-jwt", jwtClaims{}, true},
		{"two parts", "a.b", jwtClaims{}, true},
		{"bad base64", "a.!!!.c", jwtClaims{}, true},
		{"payload not json", "a.bm90IGpzb24.c", jwtClaims{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeJWT(tt.token)
			if (err != nil) != tt.wantErr {
				t.Fatalf("decodeJWT error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decodeJWT (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTokensValidate(t *testing.T) {
	tests := []struct {
		name    string
		tok     Tokens
		wantErr string
	}{
		{"di ok", Tokens{Family: FamilyDI, AccessToken: "a", RefreshToken: "r", ClientID: "c"}, ""},
		{"di without refresh needs no client id", Tokens{Family: FamilyDI, AccessToken: "a"}, ""},
		{"di refresh without client id", Tokens{Family: FamilyDI, AccessToken: "a", RefreshToken: "r"}, "client id"},
		{"web ok", Tokens{Family: FamilyWeb, AccessToken: "a", JWTFGP: "f"}, ""},
		{"web without fgp", Tokens{Family: FamilyWeb, AccessToken: "a"}, "JWT_FGP"},
		{"no access", Tokens{Family: FamilyWeb, JWTFGP: "f"}, "access token"},
		{"no family", Tokens{AccessToken: "a"}, "unknown token family"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.tok.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("Validate = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestNoSecretInOutput drives the client through refreshes, failures that
// echo secrets back, and logins, with a debug logger, and fails if any
// token, password, MFA code or service ticket shows up in a log line or an
// error string.
func TestNoSecretInOutput(t *testing.T) {
	old := webTokens(t, "leak-old", testNow.Add(time.Hour))
	f := setup(t, old)
	var (
		mu      sync.Mutex
		secrets = []string{old.AccessToken.Reveal(), old.RefreshToken.Reveal(), old.JWTFGP.Reveal(), testPassword, testMFACode, testTicket}
		current = old
		refused bool
	)
	addSecret := func(s ...string) { mu.Lock(); secrets = append(secrets, s...); mu.Unlock() }
	// echo answers with every credential the request carried.
	echo := func(w http.ResponseWriter, r *http.Request, status int) {
		_ = r.ParseForm()
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"message":"rejected","auth":%q,"cookie":%q,"form":%q,"raw":"%s %s"}`,
			r.Header.Get("Authorization"), r.Header.Get("Cookie"), r.PostForm.Encode(),
			strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), r.PostForm.Get("service_ticket"))
	}
	f.mux.HandleFunc("/services/auth/token/refresh", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if refused {
			echo(w, r, http.StatusBadRequest)
			return
		}
		nt := webTokens(t, fmt.Sprintf("leak-%d", len(secrets)), testNow.Add(time.Hour))
		secrets = append(secrets, nt.AccessToken.Reveal(), nt.RefreshToken.Reveal(), nt.JWTFGP.Reveal())
		current = nt
		http.SetCookie(w, &http.Cookie{Name: "JWT_FGP", Value: nt.JWTFGP.Reveal(), Path: "/"})
		fmt.Fprintf(w, `{"access_token":%q,"refresh_token":%q,"expires_in":3600}`, nt.AccessToken.Reveal(), nt.RefreshToken.Reveal())
	})
	data := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			cur := current
			mu.Unlock()
			if r.Header.Get("Authorization") != "Bearer "+cur.AccessToken.Reveal() {
				echo(w, r, http.StatusUnauthorized)
				return
			}
			echo(w, r, status)
		}
	}
	f.mux.HandleFunc("/usersummary-service/usersummary/hydration/daily/{date}", data(http.StatusBadRequest))
	f.mux.HandleFunc("/usersummary-service/usersummary/hydration/log", data(http.StatusInternalServerError))
	f.mux.HandleFunc("/userprofile-service/socialProfile", data(http.StatusForbidden))
	f.mux.HandleFunc("/usersummary-service/stats/hydration/daily/{a}/{b}", hangUp(t))
	sso := fakeSSO{t: t, acceptID: "none", ownProfile: true, loginBody: `{"responseStatus":{"type":"MFA_REQUIRED"},"customerMfaInfo":{"mfaLastMethodUsed":"sms"}}`}
	sso.register(f.mux)

	ctx := context.Background()
	var errs []error
	collect := func(_ any, err error) { errs = append(errs, err) }

	// Revoke the old token: the first call refreshes, then gets a 400 echo.
	mu.Lock()
	current = &Tokens{Family: FamilyWeb, AccessToken: "revoked-access-xyz"}
	mu.Unlock()
	addSecret("revoked-access-xyz")
	collect(f.client.HydrationDay(ctx, "2024-05-15"))
	collect(f.client.LogWater(ctx, HydrationLog{CalendarDate: "2024-05-15", TimestampLocal: "2024-05-15T07:12:51.180", ValueInML: 250}))
	collect(f.client.SocialProfile(ctx))
	collect(f.client.HydrationRange(ctx, "2024-05-01", "2024-05-15"))
	// Now refresh is refused with an echo of the refresh token.
	mu.Lock()
	refused = true
	current = &Tokens{Family: FamilyWeb, AccessToken: "revoked-again-xyz"}
	mu.Unlock()
	collect(f.client.HydrationDay(ctx, "2024-05-16"))
	// A login whose ticket exchange is refused with the ticket echoed.
	collect(f.client.Login(ctx, LoginRequest{Email: testEmail, Password: testPassword, MFA: func(context.Context) (string, error) { return testMFACode, nil }}))

	if len(errs) != 6 {
		t.Fatalf("collected %d errors", len(errs))
	}
	var outs []string
	for i, err := range errs {
		if err == nil {
			t.Errorf("call %d did not fail", i)
			continue
		}
		outs = append(outs, err.Error(), fmt.Sprintf("%+v %#v", err, err))
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			outs = append(outs, apiErr.Body)
		}
	}
	tok, err := f.client.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, fmt.Sprint(tok), f.logs.String())
	if testing.Verbose() {
		for _, o := range outs {
			t.Log(o)
		}
	}
	if !strings.Contains(f.logs.String(), "Authorization=[redacted]") {
		t.Errorf("the debug log has no redacted Authorization header; log:\n%s", f.logs.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(secrets) < 9 {
		t.Fatalf("only %d secrets: the refresh did not happen", len(secrets))
	}
	for _, out := range outs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("output shows secret %.6s…: %s", s, out)
			}
		}
	}
}
