package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Phase is where an Axe 1 consultation campaign stands. Its four dated phases follow each
// other; a campaign is scheduled before the first and closed after the last.
type Phase string

const (
	PhaseScheduled  Phase = "scheduled"  // before collection opens
	PhaseCollection Phase = "collection" // collectivités and partners propose needs and services
	PhaseVote       Phase = "vote"       // collectivités vote for candidate services
	PhaseInterest   Phase = "interest"   // expressions of interest in the selected services
	PhaseBuild      Phase = "build"      // build and deploy of the selected services
	PhaseClosed     Phase = "closed"     // after build and deploy
	// PhaseBetween is a gap the schedule leaves between two phases.
	PhaseBetween Phase = "between"
)

// CampaignPhases are the four dated phases, in order.
var CampaignPhases = []Phase{PhaseCollection, PhaseVote, PhaseInterest, PhaseBuild}

// Window is when a phase is open: from OpensAt (included) to ClosesAt (excluded).
type Window struct {
	OpensAt  time.Time `json:"opens_at" validate:"required"`
	ClosesAt time.Time `json:"closes_at" validate:"required"`
}

// Contains reports whether the window is open at t.
func (w Window) Contains(t time.Time) bool { return !t.Before(w.OpensAt) && t.Before(w.ClosesAt) }

// Schedule holds the dates of a campaign's four phases.
type Schedule struct {
	Collection Window `json:"collection"`
	Vote       Window `json:"vote"`
	Interest   Window `json:"interest"`
	Build      Window `json:"build"`
}

// Window returns the window of one of the four phases.
func (s Schedule) Window(p Phase) Window {
	switch p {
	case PhaseCollection:
		return s.Collection
	case PhaseVote:
		return s.Vote
	case PhaseInterest:
		return s.Interest
	case PhaseBuild:
		return s.Build
	}
	return Window{}
}

// SetWindow sets the window of one of the four phases.
func (s *Schedule) SetWindow(p Phase, w Window) {
	switch p {
	case PhaseCollection:
		s.Collection = w
	case PhaseVote:
		s.Vote = w
	case PhaseInterest:
		s.Interest = w
	case PhaseBuild:
		s.Build = w
	}
}

func (s Schedule) windows() []Window { return []Window{s.Collection, s.Vote, s.Interest, s.Build} }

// PhaseAt is the campaign's phase at t.
func (s Schedule) PhaseAt(t time.Time) Phase {
	ws := s.windows()
	if t.Before(ws[0].OpensAt) {
		return PhaseScheduled
	}
	for i, w := range ws {
		if w.Contains(t) {
			return CampaignPhases[i]
		}
	}
	if !t.Before(ws[len(ws)-1].ClosesAt) {
		return PhaseClosed
	}
	return PhaseBetween
}

// VoteClosed reports whether the vote has closed at t: from its closing date on, the
// results are final, the committee sits and decides.
func (s Schedule) VoteClosed(t time.Time) bool { return !t.Before(s.Vote.ClosesAt) }

// NextChange is the first opening or closing date after t, and false once the campaign is closed.
func (s Schedule) NextChange(t time.Time) (time.Time, bool) {
	for _, w := range s.windows() {
		for _, at := range []time.Time{w.OpensAt, w.ClosesAt} {
			if at.After(t) {
				return at, true
			}
		}
	}
	return time.Time{}, false
}

// Check says which windows are out of order: each phase closes after it opens, and opens
// no earlier than the one before it closes.
func (s Schedule) Check() map[string]string {
	fields := map[string]string{}
	ws := s.windows()
	for i, w := range ws {
		name := string(CampaignPhases[i])
		if w.OpensAt.IsZero() || w.ClosesAt.IsZero() {
			continue // the field rules say it is required
		}
		if !w.ClosesAt.After(w.OpensAt) {
			fields[name+".closes_at"] = "must be after " + name + ".opens_at"
		}
		if i > 0 && w.OpensAt.Before(ws[i-1].ClosesAt) {
			prev := string(CampaignPhases[i-1])
			fields[name+".opens_at"] = fmt.Sprintf("must not be before %s.closes_at (%s): the phases follow each other",
				prev, ws[i-1].ClosesAt.UTC().Format(time.RFC3339))
		}
	}
	return fields
}

// CheckMove tells whether the schedule may become next at now: a phase that has closed
// keeps its dates; one that is open keeps its opening date and may not close in the past;
// one still to come may not open in the past; and the phases stay in order. The fields
// named are the phases' windows in next.
func (s Schedule) CheckMove(next Schedule, now time.Time) error {
	fields := next.Check()
	cur, nxt := s.windows(), next.windows()
	for i, w := range cur {
		if nxt[i].OpensAt.Equal(w.OpensAt) && nxt[i].ClosesAt.Equal(w.ClosesAt) {
			continue
		}
		name := string(CampaignPhases[i])
		switch {
		case !now.Before(w.ClosesAt):
			fields[name] = fmt.Sprintf("closed on %s: its dates can no longer move", w.ClosesAt.UTC().Format(time.RFC3339))
		case !now.Before(w.OpensAt) && !nxt[i].OpensAt.Equal(w.OpensAt):
			fields[name+".opens_at"] = fmt.Sprintf("the phase opened on %s: only its closing date can move", w.OpensAt.UTC().Format(time.RFC3339))
		case !nxt[i].ClosesAt.After(now):
			fields[name+".closes_at"] = "must be in the future"
		case now.Before(w.OpensAt) && nxt[i].OpensAt.Before(now):
			fields[name+".opens_at"] = "must not be in the past"
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return FieldErrors(fields)
}

// CommitteeMember is a person sitting on a campaign's selection committee.
type CommitteeMember struct {
	Subject string `json:"subject" validate:"notblank,max=200"`
	Name    string `json:"name" validate:"max=200"`
	// ANCT marks an agent of ANCT: the committee is chaired by one.
	ANCT bool `json:"anct"`
}

// Campaign defaults: choices on a ballot, and territoires référents per selected service.
const (
	DefaultBallotSize          = 5
	DefaultReferentsPerService = 10
)

// Campaign is an Axe 1 consultation campaign: its dated phases, its budget (a sub-envelope
// of axe1, created with it), its committee, and the sizes of ballots and référent lists.
type Campaign struct {
	ID                  string            `json:"id"`
	Title               string            `json:"title" validate:"notblank,min=3,max=200"`
	Schedule            Schedule          `json:"schedule"`
	EnvelopeCode        string            `json:"envelope_code" validate:"required,max=64"`
	BudgetCents         Cents             `json:"budget_cents" validate:"required,cents"`
	Committee           []CommitteeMember `json:"committee" validate:"min=1,max=50,dive"`
	Chair               string            `json:"chair" validate:"required"`
	Quorum              int               `json:"quorum" validate:"min=1"`
	BallotSize          int               `json:"ballot_size" validate:"min=1,max=50"`
	ReferentsPerService int               `json:"referents_per_service" validate:"min=1,max=1000"`
	// Categories are the categories a proposal chooses from (DefaultCategories unless given).
	Categories []string `json:"categories" validate:"min=1,max=30,unique,dive,notblank,max=60"`
	// Phase is the phase the campaign's process last recorded.
	Phase     Phase     `json:"phase"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// CampaignEnvelopePrefix starts the code of every campaign's envelope: each is a
// sub-envelope of Axe 1.
const CampaignEnvelopePrefix = EnvelopeAxe1 + "."

// Validate checks a campaign as an administrator defines it: each field's rules, then the
// rules tying fields together: phases in order, an envelope under axe1, a committee naming
// each member once and chaired by an ANCT member, and a quorum it can reach.
func (c Campaign) Validate() error {
	fields := map[string]string{}
	for f, msg := range c.Schedule.Check() {
		fields["schedule."+f] = msg
	}
	if code := c.EnvelopeCode; code != "" && (!strings.HasPrefix(code, CampaignEnvelopePrefix) || len(code) == len(CampaignEnvelopePrefix) ||
		strings.ContainsAny(code[len(CampaignEnvelopePrefix):], ". ")) {
		fields["envelope_code"] = fmt.Sprintf("must be a new sub-envelope of %s, such as %s2021", EnvelopeAxe1, CampaignEnvelopePrefix)
	}
	seen := map[string]bool{}
	for i, m := range c.Committee {
		if seen[m.Subject] {
			fields[fmt.Sprintf("committee[%d].subject", i)] = "appears twice"
		}
		seen[m.Subject] = true
	}
	if len(c.Committee) > 0 {
		i := slices.IndexFunc(c.Committee, func(m CommitteeMember) bool { return m.Subject == c.Chair })
		switch {
		case strings.TrimSpace(c.Chair) == "" || i < 0:
			fields["chair"] = "must be one of the committee's members"
		case !c.Committee[i].ANCT:
			fields["chair"] = fmt.Sprintf("must be an ANCT member: ANCT chairs the committee, and %s is not marked \"anct\": true", c.Chair)
		}
	}
	if c.Quorum > len(c.Committee) {
		fields["quorum"] = fmt.Sprintf("must be between 1 and the number of members (%d)", len(c.Committee))
	}
	return joinFieldErrors(Validate(c), fields)
}

// ValidateNew checks a campaign an administrator creates at now: Validate's rules, and a
// collection that has not opened yet.
func (c Campaign) ValidateNew(now time.Time) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if !c.Schedule.Collection.OpensAt.After(now) {
		return FieldErrors(map[string]string{"schedule.collection.opens_at": "must be in the future"})
	}
	return nil
}

// ScheduleMovable refuses to move the dates of a campaign whose last phase has closed.
func (c Campaign) ScheduleMovable(now time.Time) error {
	if end := c.Schedule.Build.ClosesAt; !now.Before(end) {
		return Errorf(EConflict, "campaign %s closed on %s: its dates can no longer move", c.ID, end.UTC().Format(time.RFC3339))
	}
	return nil
}

// VoteClosed reports whether the campaign's vote has closed at now (Schedule.VoteClosed).
func (c Campaign) VoteClosed(now time.Time) bool { return c.Schedule.VoteClosed(now) }

// IsCommitteeMember reports whether subject sits on the campaign's committee.
func (c Campaign) IsCommitteeMember(subject string) bool {
	return slices.ContainsFunc(c.Committee, func(m CommitteeMember) bool { return m.Subject == subject })
}

// CampaignWorkflowID is the ID of a campaign's workflow.
func CampaignWorkflowID(id string) string { return "campaign-" + id }

// CampaignRequest is an administrator's new Axe 1 consultation campaign. The sizes of
// ballots and référent lists take their defaults when left out.
type CampaignRequest struct {
	Title               string            `json:"title"`
	Schedule            Schedule          `json:"schedule"`
	EnvelopeCode        string            `json:"envelope_code"`
	BudgetCents         Cents             `json:"budget_cents"`
	Committee           []CommitteeMember `json:"committee"`
	Chair               string            `json:"chair"`
	Quorum              int               `json:"quorum"`
	Categories          []string          `json:"categories"`
	BallotSize          *int              `json:"ballot_size"`
	ReferentsPerService *int              `json:"referents_per_service"`
}

// Campaign is the campaign the request describes, created by createdBy under id, with the
// defaults filled in; its rules are checked by Campaign.ValidateNew.
func (r CampaignRequest) Campaign(id, createdBy string) Campaign {
	c := Campaign{ID: id, Title: strings.TrimSpace(r.Title), Schedule: r.Schedule, EnvelopeCode: r.EnvelopeCode,
		BudgetCents: r.BudgetCents, Committee: r.Committee, Chair: r.Chair, Quorum: r.Quorum,
		BallotSize: sizeOrDefault(r.BallotSize, DefaultBallotSize), ReferentsPerService: sizeOrDefault(r.ReferentsPerService, DefaultReferentsPerService),
		Categories: r.Categories, CreatedBy: createdBy}
	if c.Categories == nil {
		c.Categories = DefaultCategories
	}
	return c
}

func sizeOrDefault(n *int, def int) int {
	if n == nil {
		return def
	}
	return *n
}
