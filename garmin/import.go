package garmin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// maxCurl bounds the size of a pasted curl command.
const maxCurl = 1 << 20

// refreshNames are the cookie or header names ParseCurl takes a refresh
// token from. Garmin's web app keeps its refresh token out of ordinary
// requests, so which name a copied request would carry is not known; these
// are the names a user is likely to meet or to add by hand (compared without
// case).
var refreshNames = []string{"JWT_REFRESH", "refresh_token", "refreshToken", "X-Refresh-Token"}

// ParseCurl reads a browser "Copy as cURL" of a request to connect.garmin.com
// and returns the web-session tokens it carries: the access token of the
// `Authorization: Bearer` header, the JWT_FGP cookie (from -b/--cookie or a
// Cookie header) and, when present, a refresh token (a cookie or header
// named JWT_REFRESH, refresh_token, refreshToken or X-Refresh-Token, or a
// "refresh_token" field in the request's JSON body, as in a copy of the
// token refresh call itself).
//
// Both bash (POSIX) and Windows cmd quoting are understood, with line
// continuations (\, ^ and PowerShell's `), and so is PowerShell's
// Invoke-WebRequest form. The error names what is missing. Nothing of the
// input appears in an error.
func ParseCurl(r io.Reader) (*Tokens, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxCurl+1))
	if err != nil {
		return nil, fmt.Errorf("read curl command: %w", err)
	}
	if len(b) > maxCurl {
		return nil, errors.New("curl command: longer than 1 MiB; paste a single request")
	}
	text := string(b)
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("curl command: empty input; paste a request copied with the browser's \"Copy as cURL\"")
	}
	var f curlFields
	if isPowerShellWebRequest(text) {
		f = parsePowerShell(text)
	} else {
		args, err := splitCommandLine(text)
		if err != nil {
			return nil, fmt.Errorf("curl command: %w", err)
		}
		f = curlArgs(args)
	}
	if f.bearer == "" && (f.csrf != "" || f.jwtWeb != "") {
		return f.webSession()
	}
	var missing []string
	if f.bearer == "" {
		missing = append(missing, `an "Authorization: Bearer ..." header`)
	}
	if f.fgp == "" {
		missing = append(missing, "a JWT_FGP cookie")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("curl command lacks %s: copy a request to connect.garmin.com/gc-api/ (or one carrying an Authorization: Bearer header) made while logged in", strings.Join(missing, " and "))
	}
	t := &Tokens{
		Family:       FamilyWeb,
		AccessToken:  Secret(f.bearer),
		RefreshToken: Secret(f.refresh),
		JWTFGP:       Secret(f.fgp),
	}
	return t, nil
}

// webSession makes the tokens of the web app's cookie session: every
// cookie the browser sent (JWT_WEB as the access token) and the
// connect-csrf-token header (garmin-api.md "What changed in 2025-26").
func (f *curlFields) webSession() (*Tokens, error) {
	var missing []string
	if f.jwtWeb == "" {
		missing = append(missing, "the "+CookieJWTWeb+" cookie")
	}
	if f.csrf == "" {
		missing = append(missing, "a connect-csrf-token header")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("curl command lacks %s: copy a request to connect.garmin.com/gc-api/ made while logged in (its cookies and its connect-csrf-token header make the session)", strings.Join(missing, " and "))
	}
	return &Tokens{Family: FamilyWebSession, AccessToken: Secret(f.jwtWeb), Cookies: f.all, CSRF: Secret(f.csrf)}, nil
}

// curlFields are what ParseCurl collects.
type curlFields struct {
	bearer, fgp, refresh string
	// csrf is the connect-csrf-token header and jwtWeb the JWT_WEB cookie:
	// the cookie session of the web app since late 2025 (garmin-api.md,
	// "What changed in 2025-26"); all are the session's other cookies.
	csrf, jwtWeb string
	all          []Cookie
}

// header records a header.
func (f *curlFields) header(name, value string) {
	name = strings.TrimSpace(name)
	value = strings.TrimSpace(value)
	switch {
	case strings.EqualFold(name, "Authorization"):
		if scheme, tok, ok := strings.Cut(value, " "); ok && strings.EqualFold(scheme, "Bearer") {
			f.bearer = strings.TrimSpace(tok)
		}
	case strings.EqualFold(name, "Cookie"):
		f.cookies(value)
	case isRefreshName(name):
		f.refresh = value
	case strings.EqualFold(name, "connect-csrf-token"):
		f.csrf = value
	}
}

// cookies records the cookies of a Cookie header or a -b value.
func (f *curlFields) cookies(s string) {
	for _, part := range strings.Split(s, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		f.cookie(strings.TrimSpace(name), strings.TrimSpace(value))
	}
}

func (f *curlFields) cookie(name, value string) {
	value = strings.Trim(value, `"`)
	switch {
	case name == cookieJWTFGP:
		f.fgp = value
	case name == CookieJWTWeb:
		f.jwtWeb = value
		return
	case isRefreshName(name):
		f.refresh = value
	}
	if name != "" && value != "" && !slices.ContainsFunc(f.all, func(c Cookie) bool { return c.Name == name }) {
		f.all = append(f.all, Cookie{Name: name, Value: Secret(value)})
	}
}

func isRefreshName(name string) bool {
	for _, n := range refreshNames {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// body looks for a refresh_token field in a JSON request body.
func (f *curlFields) body(s string) {
	var v map[string]any
	if json.Unmarshal([]byte(s), &v) != nil {
		return
	}
	for k, x := range v {
		if s, ok := x.(string); ok && isRefreshName(k) && s != "" {
			f.refresh = s
		}
	}
}

// curlArgs reads the arguments of a curl command.
func curlArgs(args []string) curlFields {
	var f curlFields
	// Options whose value is the next argument, so that a value is never
	// mistaken for an option.
	withValue := map[string]bool{
		"-X": true, "--request": true, "-A": true, "--user-agent": true, "-e": true, "--referer": true,
		"-u": true, "--user": true, "-o": true, "--output": true, "--url": true, "-x": true, "--proxy": true,
		"--data-urlencode": true, "-F": true, "--form": true, "-m": true, "--max-time": true,
		"--connect-timeout": true, "--cacert": true, "--cert": true, "-w": true, "--write-out": true,
	}
	dataOpts := map[string]bool{"-d": true, "--data": true, "--data-raw": true, "--data-binary": true, "--data-ascii": true, "--json": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, bool) {
			if i+1 < len(args) {
				i++
				return args[i], true
			}
			return "", false
		}
		switch {
		case a == "-H" || a == "--header":
			if v, ok := next(); ok {
				if name, value, ok := strings.Cut(v, ":"); ok {
					f.header(name, value)
				}
			}
		case strings.HasPrefix(a, "-H") && len(a) > 2 && !strings.HasPrefix(a, "--"):
			if name, value, ok := strings.Cut(a[2:], ":"); ok {
				f.header(name, value)
			}
		case a == "-b" || a == "--cookie":
			if v, ok := next(); ok && strings.Contains(v, "=") {
				f.cookies(v)
			}
		case dataOpts[a]:
			if v, ok := next(); ok {
				f.body(v)
			}
		case withValue[a]:
			next()
		}
	}
	return f
}

// splitCommandLine splits a shell command into arguments, understanding bash
// quoting ('...', "...", $'...', backslash escapes and continuations),
// PowerShell's backtick continuation, and Windows cmd's caret escapes
// (Chrome's "Copy as cURL (cmd)"). It works on bytes: every special
// character is ASCII, and bytes that are not UTF-8 pass through unchanged.
func splitCommandLine(s string) ([]string, error) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if isCmdQuoted(s) {
		s = uncaret(s)
	}
	var (
		args []string
		cur  strings.Builder
		have bool // cur holds an argument, maybe empty ("")
	)
	flush := func() {
		if have {
			args = append(args, cur.String())
		}
		cur.Reset()
		have = false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			flush()
		case c == '\\' || c == '`':
			// Line continuation (bash \, PowerShell `), else an escape (bash only).
			j := i + 1
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			if j < len(s) && s[j] == '\n' {
				flush()
				i = j
				continue
			}
			have = true
			if c == '`' || i+1 >= len(s) {
				cur.WriteByte(c)
				continue
			}
			i++
			cur.WriteByte(s[i])
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+end])
			have = true
			i += 1 + end
		case c == '$' && i+1 < len(s) && s[i+1] == '\'':
			n, err := ansiC(s[i+2:], &cur)
			if err != nil {
				return nil, err
			}
			have = true
			i += 1 + n // the loop's i++ steps past the closing quote
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) && strings.IndexByte("\"\\$`\n", s[j+1]) >= 0 {
					j++
					if s[j] != '\n' {
						cur.WriteByte(s[j])
					}
					continue
				}
				cur.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, errors.New("unterminated double quote")
			}
			have = true
			i = j
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	flush()
	return args, nil
}

// ansiC decodes the body of a bash $'...' string (s starts after the
// opening quote) into b and returns how many bytes it used, closing quote
// included.
func ansiC(s string, b *strings.Builder) (int, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' {
			return i + 1, nil
		}
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'x', 'u', 'U':
			max := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			v, n := 0, 0
			for n < max && i+1 < len(s) && isHex(s[i+1]) {
				i++
				v = v*16 + hexVal(s[i])
				n++
			}
			switch {
			case n == 0:
				b.WriteByte('\\')
				b.WriteByte(e)
			case e == 'x':
				b.WriteByte(byte(v))
			default:
				b.WriteRune(rune(v))
			}
		default:
			b.WriteByte(e) // \\ \' \" and anything else: the character itself
		}
	}
	return 0, errors.New("unterminated $'...' string")
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	default:
		return int(c-'A') + 10
	}
}

// isCmdQuoted reports whether s looks like Chrome's cmd form, which
// escapes with ^ and quotes as ^"...^".
func isCmdQuoted(s string) bool {
	return strings.Contains(s, `^"`) || strings.Contains(s, " ^\n")
}

// uncaret undoes cmd escapes: ^ before a line end continues the line, ^x is x.
func uncaret(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '^' && i+1 < len(s) {
			i++
			if s[i] == '\n' {
				b.WriteByte(' ')
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var (
	psWebRequest = regexp.MustCompile(`(?i)\bInvoke-(?:WebRequest|RestMethod)\b`)
	psCookie     = regexp.MustCompile(`(?i)System\.Net\.Cookie\(\s*"([^"]*)"\s*,\s*"([^"]*)"`)
	psHeader     = regexp.MustCompile(`(?m)^\s*"([^"]+)"\s*=\s*"((?:[^"` + "`" + `]|` + "`" + `.)*)"`)
)

func isPowerShellWebRequest(s string) bool { return psWebRequest.MatchString(s) }

// parsePowerShell reads Chrome's "Copy as PowerShell": cookies added with
// New-Object System.Net.Cookie("name", "value", ...) and headers in a
// -Headers @{ "name"="value" ... } table.
func parsePowerShell(s string) curlFields {
	var f curlFields
	for _, m := range psCookie.FindAllStringSubmatch(s, -1) {
		f.cookie(m[1], m[2])
	}
	for _, m := range psHeader.FindAllStringSubmatch(s, -1) {
		f.header(m[1], strings.ReplaceAll(m[2], "`", ""))
	}
	return f
}

// garminconnectFile is python-garminconnect's token file.
const garminconnectFile = "garmin_tokens.json"

// ImportGarminconnect reads python-garminconnect's token file
// (<dir>/garmin_tokens.json, or dir itself when it names a .json file):
// {"di_token", "di_refresh_token", "di_client_id"}. The client id, when
// missing, is taken from the token's client_id claim.
func ImportGarminconnect(dir string) (*Tokens, error) {
	path := dir
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() || !strings.EqualFold(filepath.Ext(dir), ".json") {
		path = filepath.Join(dir, garminconnectFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, gerr := os.Stat(filepath.Join(dir, "oauth1_token.json")); gerr == nil {
				return nil, fmt.Errorf("%s holds garth OAuth1 tokens (deprecated by Garmin, not supported); log in with python-garminconnect 0.3 or later", dir)
			}
		}
		return nil, fmt.Errorf("read python-garminconnect tokens: %w", err)
	}
	var f struct {
		DIToken        string `json:"di_token"`
		DIRefreshToken string `json:"di_refresh_token"`
		DIClientID     string `json:"di_client_id"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("read python-garminconnect tokens %s: %w", path, err)
	}
	if f.DIToken == "" {
		return nil, fmt.Errorf("python-garminconnect tokens %s: no di_token (this file may come from an older version)", path)
	}
	t := &Tokens{
		Family:       FamilyDI,
		AccessToken:  Secret(f.DIToken),
		RefreshToken: Secret(f.DIRefreshToken),
		ClientID:     f.DIClientID,
	}
	if t.ClientID == "" {
		if c, err := decodeJWT(f.DIToken); err == nil {
			t.ClientID = c.ClientID
		}
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("python-garminconnect tokens %s: %w", path, err)
	}
	return t, nil
}
