package state

import "fmt"

// Fields a MismatchError can name.
const (
	FieldAccount     = "account"
	FieldFingerprint = "fingerprint"
)

// MismatchError is returned by CheckHeader when the journal was made for
// another Garmin account or another export than the current run's.
type MismatchError struct {
	Path    string // the journal
	Field   string // FieldAccount or FieldFingerprint
	Journal string // the value the journal holds
	Now     string // the value of this run
	// JournalName is the display name recorded with the journal's account,
	// if any, to make the message readable.
	JournalName string
}

func (e *MismatchError) Error() string {
	switch e.Field {
	case FieldAccount:
		who := e.Journal
		if e.JournalName != "" {
			who = fmt.Sprintf("%s (%s)", e.Journal, e.JournalName)
		}
		return fmt.Sprintf("journal %s belongs to account %s, you are logged in as %s", e.Path, who, e.Now)
	case FieldFingerprint:
		return fmt.Sprintf("journal %s was made for another export (fingerprint %s, this one is %s)",
			e.Path, short(e.Journal), short(e.Now))
	}
	return fmt.Sprintf("journal %s: %s is %q, this run has %q", e.Path, e.Field, e.Journal, e.Now)
}

func short(fp string) string {
	if len(fp) > 12 {
		return fp[:12]
	}
	return fp
}

// CheckHeader compares the journal's header with this run's export
// fingerprint and Garmin account (profile id). A journal without a header,
// or a header or argument left empty, passes; so does everything when force
// is set. The account is checked first: resuming into someone else's
// account is the worse mistake. The error is a *MismatchError whose message
// tells the user what to do.
func (j *Journal) CheckHeader(fingerprint, account string, force bool) error {
	h, ok := j.Header()
	if !ok || force {
		return nil
	}
	if h.Account != "" && account != "" && h.Account != account {
		return &MismatchError{Path: j.path, Field: FieldAccount, Journal: h.Account, Now: account, JournalName: h.AccountName}
	}
	if h.Fingerprint != "" && fingerprint != "" && h.Fingerprint != fingerprint {
		return &MismatchError{Path: j.path, Field: FieldFingerprint, Journal: h.Fingerprint, Now: fingerprint}
	}
	return nil
}
