package models

import "time"

// ProgrammingSession is a préfet's session deciding the scored Axe 3 dossiers of one
// envelope, ranked by score.
type ProgrammingSession struct {
	ID           string     `json:"id"`
	EnvelopeCode string     `json:"envelope_code"`
	OpenedBy     string     `json:"opened_by"`
	OpenedAt     time.Time  `json:"opened_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	// AvailableCents is what the envelope can still reserve, plus what this session's grants
	// reserved: the money the ranking fills from the top.
	AvailableCents Cents          `json:"available_cents"`
	Entries        []SessionEntry `json:"entries"`
}

// SessionEntry is one dossier of a session, in ranking order.
type SessionEntry struct {
	DossierID     string `json:"dossier_id"`
	ApplicantName string `json:"applicant_name,omitempty"`
	Rank          int    `json:"rank"`
	Score         int    `json:"score"`
	ProposedCents Cents  `json:"proposed_cents"`
	// Decision is "" until the préfet decides: grant, refuse or postpone.
	Decision    string `json:"decision,omitempty"`
	AmountCents Cents  `json:"amount_cents,omitempty"`
	// RunningCents is the money the dossiers ranked so far take (grants their amount,
	// undecided dossiers the amount proposed); WithinEnvelope whether that still fits.
	RunningCents   Cents `json:"running_cents"`
	WithinEnvelope bool  `json:"within_envelope"`
}

// FillFromTop computes each entry's running total, filling money from the top of the
// ranking: a grant takes its amount, an undecided dossier the amount proposed, a refused
// or postponed one nothing.
func FillFromTop(entries []SessionEntry, money Cents) {
	var running Cents
	for i := range entries {
		switch entries[i].Decision {
		case OutcomeGrant:
			running += entries[i].AmountCents
		case "":
			running += entries[i].ProposedCents
		}
		entries[i].RunningCents = running
		entries[i].WithinEnvelope = running <= money
	}
}

// DepartsFromRanking reports whether granting the dossier departs from the ranking: a
// dossier ranked above it was refused or postponed. Such a grant needs a motivation.
func DepartsFromRanking(entries []SessionEntry, dossierID string) bool {
	for _, e := range entries {
		if e.DossierID == dossierID {
			return false
		}
		if e.Decision == OutcomeRefuse || e.Decision == OutcomePostpone {
			return true
		}
	}
	return false
}

// OpenSessionRequest names the envelope a préfet opens a programming session on.
type OpenSessionRequest struct {
	EnvelopeCode string `json:"envelope_code" validate:"required,max=100"`
}

// SessionDecision is the préfet's decision on one dossier of a session.
type SessionDecision struct {
	DossierID   string `json:"dossier_id" validate:"required,uuid"`
	Outcome     string `json:"outcome" validate:"oneof=grant refuse postpone"`
	AmountCents Cents  `json:"amount_cents" validate:"cents"`
	Comment     string `json:"comment" validate:"max=2000"`
}

// Check ties a decision's fields to its outcome and to the ranking: a grant names an
// amount, and a motivation when it departs from the ranking; a refusal or a postponement
// a motivation, and no amount.
func (d SessionDecision) Check(entries []SessionEntry) error {
	fields := map[string]string{}
	switch d.Outcome {
	case OutcomeGrant:
		if d.AmountCents <= 0 {
			fields["amount_cents"] = "is required to grant"
		}
		if DepartsFromRanking(entries, d.DossierID) && len([]rune(d.Comment)) < 10 {
			fields["comment"] = "a grant below a refused or postponed dossier departs from the ranking: give the motivation (at least 10 characters)"
		}
	default:
		if d.AmountCents != 0 {
			fields["amount_cents"] = "must be absent for outcome " + d.Outcome
		}
		if len([]rune(d.Comment)) < 10 {
			fields["comment"] = "give the motivation (at least 10 characters)"
		}
	}
	return joinFieldErrors(Validate(d), fields)
}
