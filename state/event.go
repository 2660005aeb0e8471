// Package state keeps the import journal on disk: an append-only file of
// events, each fsynced before the call that depends on it, a lock that keeps
// a second process out, and the fingerprint of the export and the account it
// belongs to.
//
// It knows nothing of Fitbit or HTTP: the importer decides what the events mean.
package state

// Event types written to the journal.
const (
	// TypeHeader is the first event of a journal: Version, Fingerprint, Account.
	TypeHeader = "header"
	// TypeBegin records the first touch of a day by a run: Garmin's total
	// before (Base), the policy applied (Mode) and the day's ops (Ops).
	TypeBegin = "begin"
	// TypeSent is written and fsynced before an op's request goes out.
	TypeSent = "sent"
	// TypeDone is written after the response: Total is the day's total Garmin
	// returned, Ref the id Garmin gave (weigh-ins), if any.
	TypeDone = "done"
	// TypeNotSent records that a sent op was found, by reading back, not to
	// have landed (or was rejected): it may be sent again.
	TypeNotSent = "notsent"
	// TypeFailed records an op given up on (rejected by Garmin): Err says why.
	TypeFailed = "failed"
	// TypeSkip records a day left alone: Reason says why (e.g. "existing").
	TypeSkip = "skip"
	// TypeConflict records a day whose total on Garmin fits neither outcome of
	// an uncertain op: Total is what was read, Want the expected totals.
	TypeConflict = "conflict"
	// TypeProcessing records that a sent op was accepted (or may have been:
	// its answer was lost) but Garmin does not show it yet: an upload it
	// processes later. It is settled by reading Garmin again, on a later
	// pass or run, and is not sent again while it may still appear.
	TypeProcessing = "processing"
)

// Event is one line of the journal. Fields not used by a type are left zero
// and are not written.
type Event struct {
	T string `json:"t"`

	// Header fields.
	Version     int    `json:"v,omitempty"`
	Fingerprint string `json:"fp,omitempty"`
	Account     string `json:"account,omitempty"` // Garmin profile id
	AccountName string `json:"name,omitempty"`    // display name, for messages
	Created     string `json:"created,omitempty"` // RFC 3339

	// Which run and day an event belongs to.
	Run  string `json:"run,omitempty"`  // "import" or "undo"
	Kind string `json:"kind,omitempty"` // "water", "weight"
	Date string `json:"date,omitempty"` // YYYY-MM-DD

	// Begin fields.
	Base *float64 `json:"base,omitempty"` // Garmin's total before the run touched the day
	Mode string   `json:"mode,omitempty"` // "add", "top-up", "undo"
	Ops  []Op     `json:"ops,omitempty"`

	// Op fields (sent, done, notsent, failed).
	Op    string    `json:"op,omitempty"`    // op id
	Total *float64  `json:"total,omitempty"` // day total read or returned
	Ref   string    `json:"ref,omitempty"`   // id Garmin gave the written item
	Want  []float64 `json:"want,omitempty"`  // conflict: totals that would have fit

	Reason string `json:"reason,omitempty"`
	Err    string `json:"err,omitempty"`
	// At is when a sent op went out (RFC 3339 with milliseconds, UTC): how
	// long Garmin has had to process it.
	At string `json:"at,omitempty"`
}

// Op is one planned write, as recorded in a begin event.
type Op struct {
	ID     string   `json:"id"`
	Amount float64  `json:"amount"`         // ml for water, kg for weight, seconds for activities; negative takes back
	Time   string   `json:"time,omitempty"` // local timestamp sent, 2006-01-02T15:04:05.000
	Fat    *float64 `json:"fat,omitempty"`  // body fat percent, weight only
	BMI    *float64 `json:"bmi,omitempty"`  // body mass index, weight only, when the export has it
	Ref    string   `json:"ref,omitempty"`  // undo of a weigh-in: the id to delete
	// Activities only: the start instant (RFC 3339, UTC) and the sport
	// family, by which a sent activity is found on Garmin again.
	GMT   string `json:"gmt,omitempty"`
	Sport string `json:"sport,omitempty"`
}
