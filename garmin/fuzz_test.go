package garmin

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzParseCurl(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "curl", "*.txt"))
	for _, in := range inputs {
		b, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`curl -H`)
	f.Add(`curl -b 'JWT_FGP=' -H 'Authorization: Bearer '`)
	f.Add("$'\\x")
	f.Add("^")
	f.Fuzz(func(t *testing.T, in string) {
		tok, err := ParseCurl(strings.NewReader(in))
		if err != nil {
			return
		}
		if verr := tok.Validate(); verr != nil {
			t.Fatalf("ParseCurl returned invalid tokens: %v", verr)
		}
		switch {
		case tok.AccessToken == "":
			t.Fatal("ParseCurl returned no access token without error")
		case tok.Family == FamilyWeb && tok.JWTFGP == "":
			t.Fatal("ParseCurl returned web tokens without JWT_FGP")
		case tok.Family == FamilyWebSession && tok.CSRF == "":
			t.Fatal("ParseCurl returned a web session without its csrf token")
		}
	})
}

func FuzzSplitCommandLine(f *testing.F) {
	for _, s := range []string{`a 'b' "c" $'d\x41' e\ f`, "^\"x^\" ^\n y", "a `\n b", `"\`, `$'\u12`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		args, err := splitCommandLine(in)
		if err != nil {
			return
		}
		// Re-quoting every argument in single quotes must give them back
		// (carets and carriage returns switch on the cmd and CRLF rules).
		for _, a := range args {
			if strings.ContainsAny(a, "^\r") {
				return
			}
		}
		var b strings.Builder
		for _, a := range args {
			b.WriteString(" '" + strings.ReplaceAll(a, "'", `'\''`) + "'")
		}
		again, err := splitCommandLine(b.String())
		if err != nil {
			t.Fatalf("re-split of %q: %v", b.String(), err)
		}
		if len(again) != len(args) {
			t.Fatalf("re-split gave %q, want %q", again, args)
		}
		for i := range args {
			if again[i] != args[i] {
				t.Fatalf("re-split gave %q, want %q", again, args)
			}
		}
	})
}

func FuzzDecodeJWT(f *testing.F) {
	f.Add(makeJWT(f, map[string]any{"exp": 1715776000, "client_id": "x"}))
	f.Add("e30.eyJleHAiOjEwfQ==.sig")
	f.Add("a.eyJleHAiOjFlMzAwfQ.c")
	f.Add("a..c")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := decodeJWT(tok)
		if err != nil {
			return
		}
		if !c.Exp.IsZero() && (c.Exp.Year() < 1970 || c.Exp.Year() > 9999) {
			t.Fatalf("exp %v out of range", c.Exp)
		}
		// Expiry never panics on anything decodeJWT accepts.
		_ = Tokens{AccessToken: Secret(tok)}.Expiry()
	})
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "120", "-1", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d := retryAfter(v, testNow)
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("retryAfter(%q) = %v", v, d)
		}
	})
}

func FuzzBodySays429(f *testing.F) {
	for _, s := range []string{`{"error":{"status-code":"429"}}`, `{"error":{"status-code":429}}`, `{"error":null}`, `[429]`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if bodySays429(b) && !bytes.Contains(b, []byte("429")) {
			t.Fatalf("bodySays429(%q) without 429 in it", b)
		}
	})
}

// FuzzScrubBody checks that a token-shaped secret never survives scrubbing,
// wherever it sits in a body.
func FuzzScrubBody(f *testing.F) {
	f.Add([]byte(`{"message":"bad token `), "abcdefgh12345678", []byte(`"}`))
	f.Add([]byte("\xff\xfe"), "Zm9vYmFyYmF6cXV4", []byte(strings.Repeat("x", 400)))
	f.Add([]byte(strings.Repeat("é", 200)), "tok_tok_tok_tok", []byte(nil))
	f.Fuzz(func(t *testing.T, pre []byte, secret string, post []byte) {
		if len(secret) < 8 || strings.Contains(secret, "redacted") {
			return
		}
		for _, r := range secret {
			if !(r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
				return
			}
		}
		body := append(append(append([]byte{}, pre...), secret...), post...)
		tok := &Tokens{AccessToken: Secret(secret)}
		out := scrubBody(body, tok)
		if strings.Contains(out, secret) {
			t.Fatalf("scrubBody kept the secret: %q", out)
		}
		if len(out) > maxExcerpt+len("…") {
			t.Fatalf("excerpt of %d bytes", len(out))
		}
	})
}
