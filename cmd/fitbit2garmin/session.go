package main

import (
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"fitbit2garmin/adapter"
	"fitbit2garmin/garmin"
	"fitbit2garmin/importer"
	"fitbit2garmin/state"
)

// session is what import and undo share: a connection to Garmin (or the
// sandbox) paced by one pacer, the account the tokens belong to, and the
// journal, checked to belong to that account.
type session struct {
	*connection
	pacer   *importer.Pacer
	profile *garmin.Profile
	journal *state.Journal
}

// openJournalFunc opens the session's journal once the account is known.
type openJournalFunc func(conn *connection, profile *garmin.Profile) (*state.Journal, error)

// openSession connects at o's rate and burst, asks Garmin whose tokens
// these are, and opens the journal with open. The caller closes the
// session.
func openSession(c *cli.Context, o *options, open openJournalFunc) (*session, error) {
	s := &session{pacer: importer.NewPacer(o.rate, o.burst)}
	s.pacer.Log = logger(c)
	conn, err := connect(c, s.pacer)
	if err != nil {
		return nil, err
	}
	s.connection = conn
	if s.profile, err = whoAmI(c.Context, conn.client); err != nil {
		conn.close()
		return nil, err
	}
	if s.journal, err = open(conn, s.profile); err != nil {
		conn.close()
		return nil, err
	}
	infof(c, "Journal: %s", s.journal.Path())
	return s, nil
}

func (s *session) close() {
	s.journal.Close()
	s.connection.close()
}

// runner returns a runner over the session for every kind, run as o says:
// local times in loc, progress to prog. An upload reads its activity's
// track with track (nil for none: undo); the FIT serial is the account's,
// stable, so a repeated upload hits Garmin's duplicate check.
func (s *session) runner(o *options, loc *time.Location, prog *progress, track func(context.Context, *importer.ActivityOp) ([]garmin.TrackPoint, error)) *importer.Runner {
	return &importer.Runner{
		API:         adapter.GarminWater{Client: s.client},
		Weight:      adapter.GarminWeight{Client: s.client},
		Activities:  adapter.GarminActivities{Client: s.client, Serial: fitSerial(s.profile), Track: track},
		Location:    loc,
		Journal:     s.journal,
		Pacer:       s.pacer,
		Workers:     o.workers,
		Existing:    o.existing,
		Progress:    prog.update,
		UploadWait:  o.uploadWait,
		ResendAfter: o.resendAfter,
	}
}

// openExisting opens the journal at path as it is (undo): it must belong
// to the account, unless o.force.
func openExisting(c *cli.Context, o *options, path string) openJournalFunc {
	return func(_ *connection, profile *garmin.Profile) (*state.Journal, error) {
		j, err := state.Open(c.Context, path, state.Options{})
		if err != nil {
			return nil, err
		}
		h, _ := j.Header()
		if err := j.CheckHeader(h.Fingerprint, fmt.Sprint(profile.ProfileID), o.force); err != nil {
			j.Close()
			return nil, err
		}
		return j, nil
	}
}
