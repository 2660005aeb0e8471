package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"fitbit2garmin/garmin"
)

// authCommand is `fitbit2garmin auth`: login, import, status, logout.
func authCommand() *cli.Command {
	return &cli.Command{
		Name:  "auth",
		Usage: "log in to Garmin Connect, import tokens, show or forget them",
		Subcommands: []*cli.Command{
			{
				Name:  "login",
				Usage: "log in with email and password (and a one-time code if Garmin asks)",
				Description: "The password is read from --password-file (\"-\" for stdin), else from $GARMIN_PASSWORD,\n" +
					"else asked for without echo on a terminal. It is never saved: only the tokens are.\n" +
					"Garmin rate-limits logins (429) for an hour or more; this command never retries one.\n" +
					"It tries, in order: the mobile app's login, the SSO widget form, the portal form, each with\n" +
					"browser TLS fingerprints (Garmin's Cloudflare blocks other clients), and stops at the first\n" +
					"real answer (wrong password, locked account, CAPTCHA, 429). -v names each attempt.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "email", Usage: "Garmin account email", EnvVars: append(envs("email"), "GARMIN_EMAIL")},
					&cli.StringFlag{Name: "password-file", Usage: "read the password from `FILE` (first line), or stdin with -", EnvVars: envs("password-file")},
					&cli.StringFlag{Name: "mfa-code", Usage: "the one-time code, if you already have it (else asked on a terminal)", EnvVars: envs("mfa-code")},
					&cli.StringSliceFlag{Name: "strategy", Usage: "try only these sign-in `STRATEGIES` (mobile, widget, portal; default all, in that order); -v shows which one worked", EnvVars: envs("strategy")},
				},
				Action: authLogin,
			},
			{
				Name:  "import",
				Usage: "use tokens from a browser session or from python-garminconnect",
				Description: "One source:\n" +
					"  --access-token T --jwt-fgp F [--refresh-token R]  the web session's JWT and JWT_FGP cookie\n" +
					"  --curl FILE|-             a browser \"Copy as cURL\" of any request to connect.garmin.com\n" +
					"  --garminconnect DIR       python-garminconnect's garmin_tokens.json\n" +
					"Prefer the F2G_ACCESS_TOKEN style variables or --curl over token flags: flags show in\n" +
					"process lists. The tokens are checked with Garmin before they replace the saved ones.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "access-token", Usage: "web session JWT (Authorization: Bearer)", EnvVars: envs("access-token")},
					&cli.StringFlag{Name: "refresh-token", Usage: "web session refresh token", EnvVars: envs("refresh-token")},
					&cli.StringFlag{Name: "jwt-fgp", Usage: "the JWT_FGP cookie", EnvVars: envs("jwt-fgp")},
					&cli.StringFlag{Name: "curl", Usage: "read a \"Copy as cURL\" from `FILE`, or stdin with -", EnvVars: envs("curl")},
					&cli.StringFlag{Name: "garminconnect", Usage: "python-garminconnect token `DIR` (e.g. ~/.garminconnect)", EnvVars: envs("garminconnect")},
				},
				Action: authImport,
			},
			{
				Name:   "status",
				Usage:  "show the saved login: account, token kind, expiry (never the tokens)",
				Flags:  []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "machine-readable output", EnvVars: envs("json")}},
				Action: authStatus,
			},
			{
				Name:   "logout",
				Usage:  "delete the saved tokens (Garmin is not told; tokens expire by themselves)",
				Action: authLogout,
			},
		},
	}
}

// authExit maps an error of the garmin package to the documented exit
// codes; what to do next is the Try: line's (hints.go).
func authExit(err error) error {
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return err
	case errors.As(err, new(*garmin.RateLimitError)):
		return cli.Exit(err, exitRateLimited)
	case errors.As(err, new(*garmin.LoginError)), errors.Is(err, garmin.ErrCaptcha), errors.Is(err, garmin.ErrMFARequired),
		errors.Is(err, garmin.ErrBadCredentials), errors.Is(err, garmin.ErrUnauthorized), errors.Is(err, garmin.ErrAccountLocked):
		return cli.Exit(err, exitAuth)
	}
	return err
}

func usage(format string, args ...any) error {
	return cli.Exit(fmt.Errorf(format, args...), exitUsage)
}

// console reads answers from the user: from the terminal when stdin is one,
// else from stdin as lines.
type console struct {
	in  *bufio.Reader
	out io.Writer
	fd  int
	tty bool
}

func newConsole(c *cli.Context) *console {
	con := &console{in: bufio.NewReader(c.App.Reader), out: c.App.ErrWriter, fd: -1}
	if f, ok := c.App.Reader.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		con.fd, con.tty = int(f.Fd()), true
	}
	return con
}

// line reads one line without its line ending.
func (con *console) line() (string, error) {
	s, err := con.in.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		return "", err
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// ask prompts on the terminal and reads a line, echoed.
func (con *console) ask(prompt string) (string, error) {
	fmt.Fprint(con.out, prompt)
	return con.line()
}

// askSecret prompts on the terminal and reads a line without echo.
func (con *console) askSecret(prompt string) (string, error) {
	fmt.Fprint(con.out, prompt)
	b, err := term.ReadPassword(con.fd)
	fmt.Fprintln(con.out)
	return string(b), err
}

func authLogin(c *cli.Context) error {
	con := newConsole(c)
	email := strings.TrimSpace(c.String("email"))
	if email == "" {
		if !con.tty {
			return usage("no email: pass --email or set GARMIN_EMAIL")
		}
		var err error
		if email, err = con.ask("Garmin email: "); err != nil {
			return fmt.Errorf("read email: %w", err)
		}
		email = strings.TrimSpace(email)
	}
	password, err := loginPassword(c, con)
	if err != nil {
		return err
	}
	if email == "" || password == "" {
		return usage("login needs an email and a non-empty password")
	}
	if err := garmin.CheckStrategies(c.StringSlice("strategy")); err != nil {
		return usage("%v", err)
	}
	cl, err := newGarminClient(c, nil)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(c.String("mfa-code"))
	mfa := func(ctx context.Context) (string, error) {
		if code != "" {
			return code, nil
		}
		if !con.tty {
			return "", garmin.ErrMFARequired
		}
		return con.ask("Garmin sent you a one-time code. Code: ")
	}
	infof(c, "Logging in to Garmin Connect as %s...", email)
	tok, err := cl.Login(c.Context, garmin.LoginRequest{Email: email, Password: password, MFA: mfa, Strategies: c.StringSlice("strategy")})
	if err != nil {
		return authExit(err)
	}
	// Login confirmed the tokens with one socialProfile read (Garmin can
	// issue a token its API then refuses: python-garminconnect #369).
	if p := tok.Profile; p != nil {
		fmt.Fprintf(c.App.Writer, "Logged in as %s (profile %d); tokens saved in %s\n", p.DisplayName, p.ProfileID, tokenStore(c).Path())
		return nil
	}
	fmt.Fprintf(c.App.Writer, "Logged in; tokens saved in %s (the profile could not be read to confirm them)\n", tokenStore(c).Path())
	return nil
}

// loginPassword finds the password: --password-file, $GARMIN_PASSWORD, or
// a no-echo prompt on a terminal.
func loginPassword(c *cli.Context, con *console) (string, error) {
	switch file := c.String("password-file"); {
	case file == "-":
		s, err := con.line()
		if err != nil {
			return "", usage("read the password from stdin: %v", err)
		}
		return s, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", usage("read the password file: %v", err)
		}
		s, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimRight(s, "\r"), nil
	}
	if s := os.Getenv("GARMIN_PASSWORD"); s != "" {
		return s, nil
	}
	if !con.tty {
		return "", usage("no password: pass --password-file FILE (or - for stdin), set GARMIN_PASSWORD, or run on a terminal")
	}
	s, err := con.askSecret("Garmin password: ")
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return s, nil
}

func authImport(c *cli.Context) error {
	var sources []string
	for _, f := range []string{"access-token", "curl", "garminconnect"} {
		if c.String(f) != "" {
			sources = append(sources, "--"+f)
		}
	}
	if len(sources) != 1 {
		return usage("give exactly one of --access-token (with --jwt-fgp), --curl or --garminconnect (got %d)", len(sources))
	}
	var (
		tok *garmin.Tokens
		err error
	)
	switch {
	case c.String("access-token") != "":
		tok = &garmin.Tokens{
			Family:       garmin.FamilyWeb,
			AccessToken:  garmin.Secret(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c.String("access-token")), "Bearer "))),
			RefreshToken: garmin.Secret(strings.TrimSpace(c.String("refresh-token"))),
			JWTFGP:       garmin.Secret(strings.TrimSpace(c.String("jwt-fgp"))),
		}
		err = tok.Validate()
	case c.String("curl") != "":
		if c.String("refresh-token") != "" || c.String("jwt-fgp") != "" {
			return usage("--refresh-token and --jwt-fgp go with --access-token, not --curl")
		}
		tok, err = parseCurlFrom(c, c.String("curl"))
	default:
		if c.String("refresh-token") != "" || c.String("jwt-fgp") != "" {
			return usage("--refresh-token and --jwt-fgp go with --access-token, not --garminconnect")
		}
		tok, err = garmin.ImportGarminconnect(expandHome(c.String("garminconnect")))
	}
	if err != nil {
		return usage("%v", err)
	}
	cl, err := newGarminClient(c, nil)
	if err != nil {
		return err
	}
	store := tokenStore(c)
	prev, perr := store.Load()
	if perr != nil && !errors.Is(perr, garmin.ErrNoTokens) {
		prev = nil // unreadable: nothing worth restoring
	}
	if err := store.Save(tok); err != nil {
		return err
	}
	p, err := cl.SocialProfile(c.Context)
	switch {
	case err == nil:
		fmt.Fprintf(c.App.Writer, "Imported %s tokens for %s (profile %d); saved in %s\n", familyName(tok.Family), p.DisplayName, p.ProfileID, store.Path())
		return nil
	case errors.Is(err, garmin.ErrUnauthorized), errors.Is(err, context.Canceled):
		// Rejected (or not checked): put back what was there.
		if prev != nil {
			_ = store.Save(prev)
		} else {
			_ = store.Delete()
		}
		if errors.Is(err, context.Canceled) {
			return err
		}
		return cli.Exit(fmt.Errorf("Garmin rejected the imported tokens; the saved login is unchanged (%w)", err), exitAuth)
	}
	fmt.Fprintf(c.App.Writer, "Imported %s tokens; saved in %s\n", familyName(tok.Family), store.Path())
	fmt.Fprintf(c.App.ErrWriter, "warning: could not check them with Garmin: %v\n", err)
	return nil
}

// parseCurlFrom parses a curl command from a file or, for "-", stdin.
func parseCurlFrom(c *cli.Context, name string) (*garmin.Tokens, error) {
	if name == "-" {
		return garmin.ParseCurl(c.App.Reader)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return garmin.ParseCurl(f)
}

// expandHome expands a leading ~/ (the shell does not inside quotes or env vars).
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return home + p[1:]
		}
	}
	return p
}

func familyName(f garmin.Family) string {
	switch f {
	case garmin.FamilyDI:
		return "mobile (DI OAuth2)"
	case garmin.FamilyWeb:
		return "web session"
	case garmin.FamilyWebSession:
		return "browser cookie session (/gc-api/)"
	}
	return string(f)
}

func authStatus(c *cli.Context) error {
	store := tokenStore(c)
	tok, err := store.Load()
	if errors.Is(err, garmin.ErrNoTokens) {
		return cli.Exit(fmt.Errorf("not logged in (no %s): run fitbit2garmin auth login or auth import", store.Path()), exitAuth)
	}
	if err != nil {
		return err
	}
	w := c.App.Writer
	profile := tok.Profile
	var profileErr error
	if profile == nil {
		// Not cached yet: ask Garmin, which also checks the tokens.
		cl, err := newGarminClient(c, nil)
		if err != nil {
			return err
		}
		if profile, profileErr = cl.SocialProfile(c.Context); profileErr == nil {
			if t, err := cl.Tokens(); err == nil {
				tok = t
			}
		}
	}
	if c.Bool("json") {
		if err := writeJSON(w, authStatusJSON(tok, profile, profileErr, store.Path())); err != nil {
			return err
		}
	} else {
		printAuthStatus(w, tok, profile, profileErr, store.Path())
	}
	if profileErr != nil && errors.Is(profileErr, garmin.ErrUnauthorized) {
		return authExit(profileErr)
	}
	return nil
}

// authStatusOut is `auth status --json`: what the saved login is, never a
// secret.
type authStatusOut struct {
	Family      string `json:"family"`              // di, web
	ClientID    string `json:"client_id,omitempty"` // DI tokens' OAuth client
	ExpiresAt   string `json:"expires_at,omitempty"`
	Refreshable bool   `json:"refreshable"`
	Account     string `json:"account,omitempty"`
	ProfileID   int64  `json:"profile_id,omitempty"`
	Error       string `json:"error,omitempty"` // why the account is unknown
	File        string `json:"file"`
}

func authStatusJSON(tok *garmin.Tokens, profile *garmin.Profile, profileErr error, path string) authStatusOut {
	out := authStatusOut{Family: string(tok.Family), ClientID: tok.ClientID, Refreshable: tok.RefreshToken != "", File: path}
	if exp := tok.Expiry(); !exp.IsZero() {
		out.ExpiresAt = exp.UTC().Format(time.RFC3339)
	}
	if profile != nil {
		out.Account, out.ProfileID = profile.DisplayName, profile.ProfileID
	} else if profileErr != nil {
		out.Error = profileErr.Error()
	}
	return out
}

func printAuthStatus(w io.Writer, tok *garmin.Tokens, profile *garmin.Profile, profileErr error, path string) {
	switch {
	case profile != nil:
		fmt.Fprintf(w, "Account:  %s (profile %d)\n", profile.DisplayName, profile.ProfileID)
	default:
		fmt.Fprintf(w, "Account:  unknown (%v)\n", profileErr)
	}
	kind := familyName(tok.Family)
	if tok.ClientID != "" {
		kind += ", client " + tok.ClientID
	}
	fmt.Fprintf(w, "Tokens:   %s\n", kind)
	fmt.Fprintf(w, "Expires:  %s\n", expiryText(tok.Expiry(), time.Now()))
	if tok.RefreshToken != "" {
		fmt.Fprintln(w, "Refresh:  yes (renewed automatically)")
	} else {
		fmt.Fprintln(w, "Refresh:  no (log in or import again when the token expires)")
	}
	fmt.Fprintf(w, "File:     %s\n", path)
}

// expiryText says when a token expires, for people.
func expiryText(exp, now time.Time) string {
	if exp.IsZero() {
		return "unknown (renewed when Garmin refuses it)"
	}
	at := exp.UTC().Format("2006-01-02 15:04 UTC")
	d := exp.Sub(now).Round(time.Minute)
	if d < 0 {
		return fmt.Sprintf("%s (expired %s ago)", at, -d)
	}
	return fmt.Sprintf("%s (in %s)", at, d)
}

func authLogout(c *cli.Context) error {
	store := tokenStore(c)
	if _, err := os.Stat(store.Path()); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintln(c.App.Writer, "Not logged in: nothing to remove.")
		return nil
	}
	if err := store.Delete(); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "Logged out: removed %s\n", store.Path())
	return nil
}
