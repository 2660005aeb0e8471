// Command fitbit2garmin moves a Fitbit export's history into Garmin Connect,
// exactly once: water first, then weight and body fat.
//
// See README.md for use, and ARCHITECTURE.md for the contract.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"fitbit2garmin/fitbit"
	"fitbit2garmin/garmin"
	"fitbit2garmin/importer"
	"fitbit2garmin/state"
)

// Exit codes (documented in README.md; stable).
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitPartial     = 3
	exitAuth        = 4
	exitRateLimited = 5
	exitInterrupted = 130
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "\nfitbit2garmin: interrupted: finishing the requests in flight and saving state (Ctrl-C again to quit at once)")
		cancel()
		<-sigs
		os.Exit(exitInterrupted)
	}()
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}

// run is main without the process: tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	err := app.RunContext(ctx, interspersed(app, args))
	code := exitCode(err)
	if err != nil && code != exitOK {
		printError(stderr, err)
	}
	return code
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:      "fitbit2garmin",
		Usage:     "move your Fitbit history (water, weight) into Garmin Connect, exactly once",
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config-dir", Usage: "where tokens are kept", Value: defaultConfigDir(), EnvVars: envs("config-dir")},
			&cli.StringFlag{Name: "garmin-url", Usage: "one base URL replacing every Garmin host (sandbox, tests); plain http only to loopback", EnvVars: envs("garmin-url")},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log every request (secrets redacted)", EnvVars: envs("verbose")},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only results and errors", EnvVars: envs("quiet")},
		},
		Commands: []*cli.Command{
			authCommand(),
			importCommand(),
			statusCommand(),
			verifyCommand(),
			undoCommand(),
		},
		OnUsageError: func(c *cli.Context, err error, isSub bool) error {
			return usageError{err}
		},
		ExitErrHandler:       func(*cli.Context, error) {}, // run maps errors to exit codes
		HideHelpCommand:      true,
		EnableBashCompletion: false,
	}
	setUsageErrors(app.Commands)
	return app
}

// setUsageErrors makes every command report a bad flag as a usage error (exit 2).
func setUsageErrors(cmds []*cli.Command) {
	for _, c := range cmds {
		if c.OnUsageError == nil {
			c.OnUsageError = func(_ *cli.Context, err error, _ bool) error { return usageError{err} }
		}
		setUsageErrors(c.Subcommands)
	}
}

// envs returns the environment variable read by a flag: F2G_<FLAG_IN_CAPS>.
func envs(flag string) []string {
	return []string{"F2G_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))}
}

func defaultConfigDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ".fitbit2garmin"
	}
	return filepath.Join(dir, "fitbit2garmin")
}

// usageError marks a mistake in the command line (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// errPartial marks a run that finished with items failed or in conflict (exit 3).
var errPartial = errors.New("finished, but some days were not imported (see above)")

// exitCode maps an error to the documented exit codes.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var (
		exitCoder cli.ExitCoder
		usage     usageError
		problems  *importer.ProblemError
		fitErr    *fitbit.Error
		rl        *garmin.RateLimitError
		stop      *importer.StopError
		locked    *state.LockedError
		mismatch  *state.MismatchError
	)
	switch {
	case errors.Is(err, importer.ErrInterrupted), errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &exitCoder):
		return exitCoder.ExitCode()
	case errors.As(err, &usage), errors.As(err, &problems), errors.As(err, &fitErr),
		errors.As(err, &locked), errors.As(err, &mismatch):
		return exitUsage
	case errors.Is(err, errPartial):
		return exitPartial
	case errors.As(err, &rl):
		return exitRateLimited
	case errors.As(err, &stop) && stop.Reason == importer.StopRateLimited:
		return exitRateLimited
	case errors.Is(err, garmin.ErrUnauthorized), errors.Is(err, garmin.ErrBadCredentials),
		errors.Is(err, garmin.ErrCaptcha), errors.Is(err, garmin.ErrMFARequired):
		return exitAuth
	}
	return exitError
}

// printError writes err for a person, with a hint of what to do next.
func printError(w io.Writer, err error) {
	var exitCoder cli.ExitCoder
	if errors.As(err, &exitCoder) && exitCoder.Error() == "" {
		return
	}
	if errors.Is(err, errPartial) {
		fmt.Fprintln(w, "fitbit2garmin:", err)
		return
	}
	fmt.Fprintln(w, "fitbit2garmin:", err)
	if hint := hintFor(err); hint != "" {
		fmt.Fprintln(w, "Try:", hint)
	}
}

// logger returns the verbose logger (stderr) or nil.
func logger(c *cli.Context) *slog.Logger {
	if !c.Bool("verbose") {
		return nil
	}
	return slog.New(slog.NewTextHandler(c.App.ErrWriter, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// infof prints a progress message to stderr unless --quiet.
func infof(c *cli.Context, format string, args ...any) {
	if c.Bool("quiet") {
		return
	}
	fmt.Fprintf(c.App.ErrWriter, format+"\n", args...)
}
