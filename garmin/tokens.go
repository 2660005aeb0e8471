package garmin

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"
)

// Family names the kind of tokens held: they decide the host, the headers and
// the refresh flow.
type Family string

const (
	// FamilyDI is the mobile app's DI OAuth2 token, sent to connectapi.garmin.com.
	FamilyDI Family = "di"
	// FamilyWeb is the web app's session: a JWT bearer plus the JWT_FGP
	// cookie, sent to connect.garmin.com.
	FamilyWeb Family = "web"
	// FamilyWebSession is the web app's cookie session since late 2025:
	// the browser's cookies (JWT_WEB among them) and a connect-csrf-token
	// header, sent to connect.garmin.com/gc-api/ (garmin-api.md "What
	// changed in 2025-26"). AccessToken holds the JWT_WEB cookie.
	FamilyWebSession Family = "websession"
)

// CookieJWTWeb is the web session's access cookie, renewed by Set-Cookie.
const CookieJWTWeb = "JWT_WEB"

// Cookie is one cookie of a web session; its value is a secret.
type Cookie struct {
	Name  string
	Value Secret
}

// redacted replaces every secret in output meant for people.
const redacted = "[redacted]"

// Secret is a token value. Every way of printing or encoding it (fmt verbs,
// encoding.TextMarshaler, JSON, slog) shows "[redacted]"; only Reveal gives
// the value, for the one place that sends it.
type Secret string

// Reveal returns the secret value. Call it only to put the value on the wire
// or into the token file.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer without the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer without the value.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// Format implements fmt.Formatter so that no verb (%d, %x, %q...) shows the value.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	_, _ = f.Write([]byte(s.String()))
}

// MarshalText implements encoding.TextMarshaler without the value (and so
// json.Marshal shows "[redacted]").
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue implements slog.LogValuer without the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Profile is the account a token belongs to, as socialProfile reports it.
type Profile struct {
	ProfileID   int64  `json:"profileId"`
	DisplayName string `json:"displayName"`
	UserName    string `json:"userName"`
	FullName    string `json:"fullName,omitempty"`
}

// Tokens are the credentials of one Garmin account, of either family.
//
// Tokens print, marshal and log with every secret redacted; the token store
// writes the real values through its own file format.
type Tokens struct {
	Family Family
	// AccessToken is the bearer token (a JWT for both families).
	AccessToken Secret
	// RefreshToken rotates on every refresh; empty when none is known, in
	// which case the access token is used until Garmin rejects it.
	RefreshToken Secret
	// ClientID is the DI OAuth2 client the token was issued to (DI only).
	ClientID string
	// JWTFGP is the web session's JWT_FGP cookie (web only).
	JWTFGP Secret
	// Cookies are the browser session's other cookies (SESSIONID,
	// session, GARMIN-SSO, …), in the order the browser sent them; CSRF is
	// its connect-csrf-token (websession only).
	Cookies []Cookie
	CSRF    Secret
	// ExpiresAt is when the access token expires as the token endpoint said
	// (expires_in); zero when unknown. The JWT's own exp claim wins over it.
	ExpiresAt time.Time
	// Profile caches the account's socialProfile; nil until fetched.
	Profile *Profile
}

// Expiry returns when the access token expires: its JWT exp claim when it
// has one, else ExpiresAt. The zero time means unknown.
func (t Tokens) Expiry() time.Time {
	if c, err := decodeJWT(t.AccessToken.Reveal()); err == nil && !c.Exp.IsZero() {
		return c.Exp
	}
	return t.ExpiresAt
}

// Validate reports what a usable set of tokens lacks.
func (t Tokens) Validate() error {
	var missing []string
	if t.AccessToken == "" && t.Family == FamilyWebSession {
		missing = append(missing, CookieJWTWeb+" cookie")
	} else if t.AccessToken == "" {
		missing = append(missing, "access token")
	}
	switch t.Family {
	case FamilyDI:
		if t.RefreshToken != "" && t.ClientID == "" {
			missing = append(missing, "client id (needed to refresh)")
		}
	case FamilyWeb:
		if t.JWTFGP == "" {
			missing = append(missing, "JWT_FGP cookie")
		}
	case FamilyWebSession:
		if t.CSRF == "" {
			missing = append(missing, "connect-csrf-token")
		}
	default:
		return fmt.Errorf("garmin: unknown token family %q", t.Family)
	}
	if len(missing) > 0 {
		return fmt.Errorf("garmin: %s tokens lack %s", t.Family, strings.Join(missing, ", "))
	}
	return nil
}

// clone returns a deep copy.
func (t *Tokens) clone() *Tokens {
	if t == nil {
		return nil
	}
	c := *t
	c.Cookies = append([]Cookie(nil), t.Cookies...)
	if t.Profile != nil {
		p := *t.Profile
		c.Profile = &p
	}
	return &c
}

// String describes the tokens without any secret.
func (t Tokens) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "garmin.Tokens{family=%s", t.Family)
	if t.ClientID != "" {
		fmt.Fprintf(&b, " client_id=%s", t.ClientID)
	}
	fmt.Fprintf(&b, " access=%s refresh=%s", present(t.AccessToken), present(t.RefreshToken))
	if t.Family == FamilyWeb {
		fmt.Fprintf(&b, " jwt_fgp=%s", present(t.JWTFGP))
	}
	if t.Family == FamilyWebSession {
		fmt.Fprintf(&b, " cookies=%d csrf=%s", len(t.Cookies), present(t.CSRF))
	}
	if exp := t.Expiry(); !exp.IsZero() {
		fmt.Fprintf(&b, " expires=%s", exp.UTC().Format(time.RFC3339))
	}
	if t.Profile != nil {
		fmt.Fprintf(&b, " profile=%d(%s)", t.Profile.ProfileID, t.Profile.DisplayName)
	}
	b.WriteString("}")
	return b.String()
}

func present(s Secret) string {
	if s == "" {
		return "none"
	}
	return redacted
}

// GoString implements fmt.GoStringer without secrets.
func (t Tokens) GoString() string { return t.String() }

// Format implements fmt.Formatter so that no verb shows a secret.
func (t Tokens) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// MarshalText implements encoding.TextMarshaler without secrets; so does
// json.Marshal. The token store uses its own format.
func (t Tokens) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// LogValue implements slog.LogValuer without secrets.
func (t Tokens) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("family", string(t.Family)),
		slog.String("access", present(t.AccessToken)),
		slog.String("refresh", present(t.RefreshToken)),
	}
	if exp := t.Expiry(); !exp.IsZero() {
		attrs = append(attrs, slog.Time("expires", exp))
	}
	return slog.GroupValue(attrs...)
}

// jwtClaims are the claims of a JWT payload this package reads.
type jwtClaims struct {
	Exp      time.Time // zero when absent
	ClientID string
}

// decodeJWT reads a JWT's payload without checking its signature (the client
// has no key; the server checks). It only feeds refresh timing and the DI
// client id, never a trust decision.
func decodeJWT(token string) (jwtClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return jwtClaims{}, errors.New("jwt: not three dot-separated parts")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return jwtClaims{}, fmt.Errorf("jwt payload: %w", err)
	}
	var p struct {
		Exp      json.RawMessage `json:"exp"`
		ClientID any             `json:"client_id"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&p); err != nil {
		return jwtClaims{}, fmt.Errorf("jwt payload: %w", err)
	}
	var c jwtClaims
	if s, ok := p.ClientID.(string); ok {
		c.ClientID = s
	}
	if len(p.Exp) > 0 && string(p.Exp) != "null" {
		var f float64
		if err := json.Unmarshal(p.Exp, &f); err != nil {
			return jwtClaims{}, fmt.Errorf("jwt exp: %w", err)
		}
		// Seconds since 1970, within years 1970..9999; anything else is noise.
		if math.IsNaN(f) || f <= 0 || f > 253402300799 {
			return jwtClaims{}, fmt.Errorf("jwt exp %v out of range", f)
		}
		sec, frac := math.Modf(f)
		c.Exp = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	}
	return c, nil
}
