package main

import (
	"errors"

	"fitbit2garmin/fitbit"
	"fitbit2garmin/garmin"
	"fitbit2garmin/importer"
	"fitbit2garmin/state"
)

// The libraries' errors say what went wrong; what to type next is this
// command's business, said once, on the "Try:" line printError writes.

// hint is what to do about the errors match recognises.
type hint struct {
	match func(error) bool
	text  string
}

// hints are tried in order; the first that matches is said.
func hints() []hint {
	return []hint{
		{isErr(fitbit.ErrWeightUnit), "pass --weight-unit kg or lb: the unit the export's weights are in (the one set in the Fitbit app)"},
		{asErr[*importer.ProblemError], "fix the file(s), or run again with --skip-invalid to import the rest"},
		{asErr[*state.MismatchError], "pass --force to use this journal anyway, or another --state for a new one"},
		{isErr(garmin.ErrNoTokens), "log in with `fitbit2garmin auth login`, or import a browser session with `fitbit2garmin auth import --curl FILE`"},
		{loginFailed(garmin.ErrTokenRejected), "Garmin issued tokens but its API refuses them (\"token is not active\"); nothing was saved. " +
			"Import a browser session instead: fitbit2garmin auth import --curl (README, Getting tokens)."},
		{loginFailed(garmin.ErrChallenged), "Garmin's bot check (Cloudflare) refused the sign-in. Wait an hour, try from another network, " +
			"or import a browser session: fitbit2garmin auth import --curl (README, Troubleshooting: login)."},
		{asErr[*garmin.LoginError], "no strategy could sign in; run again with -v to see each attempt, or import a browser session: fitbit2garmin auth import --curl."},
		{isErr(garmin.ErrCaptcha), "log in once at connect.garmin.com in a browser and wait, or use `fitbit2garmin auth import --curl`"},
		{isErr(garmin.ErrMFARequired), "run on a terminal to be asked for the one-time code, or pass --mfa-code"},
		{loginRateLimited, "wait an hour or more before logging in again (retrying re-arms Garmin's limit), or import web tokens with `fitbit2garmin auth import --curl`"},
		{asErr[*garmin.RateLimitError], resumeLater},
		{isErr(importer.ErrInterrupted), resumeLater},
		{isErr(garmin.ErrSessionEnded), "copy a fresh cURL: in a browser logged in to connect.garmin.com, developer tools, Network, right-click a /gc-api/ request, Copy as cURL; " +
			"then `fitbit2garmin auth import --curl FILE` and run the same command again: it resumes where it stopped"},
		{isErr(garmin.ErrUnauthorized), "log in again with `fitbit2garmin auth login` (or `auth import`); an import stopped by this resumes when run again"},
		{isErr(garmin.ErrUploadConsent), "sign in at connect.garmin.com in a browser and give the consent to uploading files it asks for, " +
			"then run the same command again: it resumes where it stopped"},
		{asErr[*state.LockedError], "wait for the other run to finish, or pass another --state"},
		{asErr[usageError], "fitbit2garmin --help, or fitbit2garmin COMMAND --help"},
	}
}

const resumeLater = "run the same command again later: it resumes where it stopped (a lower --rate is kinder to Garmin)"

// hintFor says what to do about err, "" when there is nothing to add.
func hintFor(err error) string {
	for _, h := range hints() {
		if h.match(err) {
			return h.text
		}
	}
	return ""
}

// isErr matches errors.Is(err, target).
func isErr(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

// asErr matches an error of type T in err's chain.
func asErr[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

// loginFailed matches a sign-in whose every strategy failed, one of them
// with cause.
func loginFailed(cause error) func(error) bool {
	return func(err error) bool { return asErr[*garmin.LoginError](err) && errors.Is(err, cause) }
}

// loginRateLimited matches a 429 answered to a sign-in.
func loginRateLimited(err error) bool {
	var rl *garmin.RateLimitError
	return errors.As(err, &rl) && rl.Login
}
