package garmin

import (
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// sensitiveHeader reports whether a header's value must never be shown.
func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie", "set-cookie":
		return true
	}
	return strings.Contains(n, "token") || strings.Contains(n, "auth") || strings.Contains(n, "csrf")
}

// redactHeaders returns h for a log line, sensitive values replaced.
func redactHeaders(h http.Header) slog.Value {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	attrs := make([]slog.Attr, 0, len(names))
	for _, k := range names {
		v := strings.Join(h[k], ", ")
		if sensitiveHeader(k) {
			v = redacted
		}
		attrs = append(attrs, slog.String(k, v))
	}
	return slog.GroupValue(attrs...)
}

var (
	// jwtLike matches anything shaped like a JWT (three base64url parts).
	jwtLike = regexp.MustCompile(`[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}`)
	// secretField matches a JSON string field whose name suggests a secret.
	secretField = regexp.MustCompile(`(?i)("[a-z_-]*(?:token|ticket|password|secret|fgp|jwt|cookie)[a-z_-]*"\s*:\s*)"(?:[^"\\]|\\.)*"`)
	// serviceTicket matches an SSO service ticket.
	serviceTicket = regexp.MustCompile(`ST-[A-Za-z0-9._-]{6,}`)
	spaces        = regexp.MustCompile(`\s+`)
)

// maxExcerpt bounds the body excerpt kept in an APIError.
const maxExcerpt = 300

// scrubBody returns a short one-line excerpt of an answer body with the
// token values of tok (may be nil) and anything token-like removed.
func scrubBody(body []byte, tok *Tokens, extra ...string) string {
	s := string(body)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	var secrets []string
	if tok != nil {
		secrets = append(secrets, tok.AccessToken.Reveal(), tok.RefreshToken.Reveal(), tok.JWTFGP.Reveal())
	}
	secrets = append(secrets, extra...)
	s = scrubSecrets(s, secrets...)
	s = secretField.ReplaceAllString(s, `$1"`+redacted+`"`)
	s = jwtLike.ReplaceAllString(s, redacted)
	s = serviceTicket.ReplaceAllString(s, redacted)
	s = strings.TrimSpace(spaces.ReplaceAllString(s, " "))
	if len(s) > maxExcerpt {
		cut := maxExcerpt
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// scrubSecrets replaces every occurrence of each non-trivial secret in s.
func scrubSecrets(s string, secrets ...string) string {
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return s
}
