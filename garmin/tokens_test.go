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

	goldenfile "fitbit2garmin/internal/golden"
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
