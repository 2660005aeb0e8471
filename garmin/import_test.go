package garmin

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// curlInputs returns the text of every testdata/curl/*.txt by its name
// without .txt.
func curlInputs(t testing.TB) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "curl", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no cURL inputs: %v", err)
	}
	out := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".txt")] = string(b)
	}
	return out
}

// TestParseCurlGolden parses every testdata/curl/*.txt and compares what
// it finds (or the error) with the .golden file next to it.
func TestParseCurlGolden(t *testing.T) {
	for name, in := range curlInputs(t) {
		t.Run(name, func(t *testing.T) {
			tok, err := ParseCurl(strings.NewReader(in))
			var got string
			if err != nil {
				got = "error: " + err.Error() + "\n"
			} else {
				got = fmt.Sprintf("family: %s\naccess: %s\nrefresh: %s\njwt_fgp: %s\n",
					tok.Family, tok.AccessToken.Reveal(), tok.RefreshToken.Reveal(), tok.JWTFGP.Reveal())
				if tok.Family == FamilyWebSession {
					got += fmt.Sprintf("csrf: %s\n", tok.CSRF.Reveal())
					for _, c := range tok.Cookies {
						got += fmt.Sprintf("cookie %s: %s\n", c.Name, c.Value.Reveal())
					}
				}
				if err := tok.Validate(); err != nil {
					t.Errorf("parsed tokens do not validate: %v", err)
				}
			}
			golden(t, filepath.Join("curl", name+".golden"), []byte(got))
		})
	}
}

func TestParseCurlErrorsHideInput(t *testing.T) {
	for _, in := range []string{
		`curl 'https://x' -H 'authorization: Bearer SECRET-TOKEN-123'`,
		`curl 'https://x' -b 'JWT_FGP=SECRET-TOKEN-123'`,
		`curl 'https://x -H 'authorization: Bearer SECRET-TOKEN-123`,
		`curl $'SECRET-TOKEN-123`,
	} {
		_, err := ParseCurl(strings.NewReader(in))
		if err == nil {
			t.Errorf("ParseCurl(%q) = nil error", in)
			continue
		}
		if strings.Contains(err.Error(), "SECRET-TOKEN-123") {
			t.Errorf("error shows the input: %v", err)
		}
	}
}

func TestSplitCommandLine(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`a 'b c' "d e"`, []string{"a", "b c", "d e"}},
		{`a''b "" ''`, []string{"ab", "", ""}},
		{`a\ b \"c`, []string{"a b", `"c`}},
		{"a \\\n b", []string{"a", "b"}},
		{"a `\n b", []string{"a", "b"}},
		{"a \\  \n b", []string{"a", "b"}},
		{`"x \"y\" \\ \$z \n"`, []string{`x "y" \ $z \n`}},
		{`$'a\'b\n\x41\u00e9\q'`, []string{"a'b\nAé" + "q"}},
		{`$'' x $'y'z`, []string{"", "x", "yz"}},
		// Found by FuzzSplitCommandLine: a \x escape that is not UTF-8 survives.
		{`$'\xAA'000`, []string{"\xaa000"}},
		{"caf\xe9 'x\xff'", []string{"caf\xe9", "x\xff"}},
		{"^\"a b^\" ^\r\n c^&d", []string{"a b", "c&d"}},
		{`c:\path`, []string{"c:path"}},
	}
	for _, tt := range tests {
		got, err := splitCommandLine(tt.in)
		if err != nil {
			t.Errorf("splitCommandLine(%q): %v", tt.in, err)
			continue
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("splitCommandLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestImportGarminconnect(t *testing.T) {
	jwtWithClient := makeJWT(t, map[string]any{"client_id": "GARMIN_CONNECT_MOBILE_IOS_DI", "exp": 1715780000})
	tests := []struct {
		name    string
		files   map[string]string
		arg     string // relative to the temp dir; "" = the dir itself
		want    string // ClientID expected
		wantErr string
	}{
		{
			name:  "dir",
			files: map[string]string{"garmin_tokens.json": `{"di_token":"tok-123456","di_refresh_token":"r-123456","di_client_id":"CID"}`},
			want:  "CID",
		},
		{
			name:  "json path",
			files: map[string]string{"mine.json": `{"di_token":"tok-123456","di_refresh_token":"r-123456","di_client_id":"CID"}`},
			arg:   "mine.json",
			want:  "CID",
		},
		{
			name:  "client id from the JWT",
			files: map[string]string{"garmin_tokens.json": `{"di_token":"` + jwtWithClient + `","di_refresh_token":"r-123456"}`},
			want:  "GARMIN_CONNECT_MOBILE_IOS_DI",
		},
		{
			name:    "no client id anywhere",
			files:   map[string]string{"garmin_tokens.json": `{"di_token":"tok-123456","di_refresh_token":"r-123456"}`},
			wantErr: "client id",
		},
		{
			name:    "no di_token",
			files:   map[string]string{"garmin_tokens.json": `{"di_refresh_token":"r-123456"}`},
			wantErr: "no di_token",
		},
		{
			name:    "garth tokens",
			files:   map[string]string{"oauth1_token.json": `{}`, "oauth2_token.json": `{}`},
			wantErr: "garth OAuth1",
		},
		{
			name:    "empty dir",
			wantErr: "no such file",
		},
		{
			name:    "not json",
			files:   map[string]string{"garmin_tokens.json": `di_token=tok-123456`},
			wantErr: "invalid character",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			tok, err := ImportGarminconnect(filepath.Join(dir, tt.arg))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "tok-123456") || strings.Contains(err.Error(), "r-123456") {
					t.Errorf("error shows a token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.Family != FamilyDI || tok.ClientID != tt.want || tok.RefreshToken == "" || tok.AccessToken == "" {
				t.Errorf("tokens = %v", tok)
			}
		})
	}
}

func TestImportGarminconnectFixture(t *testing.T) {
	tok, err := ImportGarminconnect(filepath.Join("testdata", "garminconnect"))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("family: %s\naccess: %s\nrefresh: %s\nclient_id: %s\nexpiry: %s\n",
		tok.Family, tok.AccessToken.Reveal(), tok.RefreshToken.Reveal(), tok.ClientID, tok.Expiry().Format("2006-01-02T15:04:05Z07:00"))
	golden(t, filepath.Join("garminconnect", "import.golden"), []byte(got))
}
