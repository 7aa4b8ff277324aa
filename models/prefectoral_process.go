package models

import (
	"fmt"
	"time"
)

// The prefectoral grant's process: its statuses, tasks, completions and the rules on
// scores, amounts and payments.

// Statuses of a prefectoral dossier beyond those it shares with the others.
const (
	StatusAdmissibility Status = "admissibility" // waiting for the instructor's admissibility
	StatusScoring       Status = "scoring"       // waiting for the instructor's scores
	StatusScored        Status = "scored"        // waiting for a programming session
	StatusInSession     Status = "in_session"    // before the préfet in an open programming session
	StatusInProgress    Status = "in_progress"   // agreement signed: the project runs until its final statement
	StatusRecovery      Status = "recovery"      // lapsed with an advance paid: finance recovers it
)

// Task types of a prefectoral dossier.
const (
	TaskAdmissibility  TaskType = "admissibility"
	TaskScoring        TaskType = "scoring"
	TaskProgramming    TaskType = "programming_decision" // the préfet's decision in a programming session
	TaskAdvanceRequest TaskType = "advance_request"      // the applicant's optional request for an advance
	TaskFinalStatement TaskType = "final_statement"      // the applicant's final statement of expenses
	TaskRecovery       TaskType = "recovery"             // finance's recovery of an advance (ordre de reversement)
)

// Outcomes of the prefectoral tasks.
const (
	OutcomeAdmissible   = "admissible"
	OutcomeInadmissible = "inadmissible"
	OutcomeScored       = "scored"
	OutcomeGrant        = "grant"
	OutcomeRefuse       = "refuse"
	OutcomePostpone     = "postpone"
	OutcomeRequested    = "requested"
	OutcomeFiled        = "filed"
	OutcomeRecovered    = "recovered"
)

// Audit actions of a prefectoral dossier.
const (
	AuditAdmissible      = "admissible"
	AuditScored          = "scored"
	AuditJoinedSession   = "joined_session"
	AuditPostponed       = "postponed"
	AuditGranted         = "granted"
	AuditAdvancePaid     = "advance_paid"
	AuditStatementFiled  = "statement_filed"
	AuditBalancePaid     = "balance_paid"
	AuditRemainderFreed  = "remainder_released"
	AuditRecoveryOrdered = "recovery_ordered"
	AuditRecovered       = "recovered"
	// AuditEnvelopeChanged is a dossier filed on its région's kept envelope moved, as it is
	// scored, to the envelope its département was delegated since.
	AuditEnvelopeChanged = "envelope_changed"
)

// ScoringCompletion is the instructor's scoring: a score and a comment per criterion, and
// the amount proposed.
type ScoringCompletion struct {
	Comment string       `json:"comment" validate:"max=2000"`
	Data    *ScoringData `json:"data" validate:"required"`
}

// CriterionScore is one criterion's score, 0 to 5, with its comment.
type CriterionScore struct {
	Score   int    `json:"score" validate:"min=0,max=5"`
	Comment string `json:"comment" validate:"notblank,min=3,max=2000"`
}

// ScoringData scores the five criteria in DOMAIN.md's order (backing, team, users,
// economic model, impact) and proposes an amount.
type ScoringData struct {
	Criteria      []CriterionScore `json:"criteria" validate:"len=5,dive"`
	ProposedCents Cents            `json:"proposed_cents" validate:"min=1,cents"`
}

// WeightedScore is the total of scores out of 100 under weights: each criterion's score
// out of 5 weighs its share of the weights' sum, rounded half up to the unit.
func WeightedScore(scores []int, weights [CriteriaCount]int) int {
	var num, sum int
	for i, w := range weights {
		if i < len(scores) {
			num += scores[i] * w
		}
		sum += w
	}
	if sum == 0 {
		return 0
	}
	// num / (5 × sum) × 100, rounded half up, in integers.
	return (num*100*2 + 5*sum) / (2 * 5 * sum)
}

// Scores lists the criteria's scores in order.
func (d ScoringData) Scores() []int {
	out := make([]int, len(d.Criteria))
	for i, c := range d.Criteria {
		out[i] = c.Score
	}
	return out
}

// CheckAmount verifies an amount proposed or granted is within the dossier's cap: the
// request, within the rate ceiling (the eligibility's MaxGrantCents).
func CheckAmount(field string, amount, maxGrant Cents) error {
	if amount > maxGrant {
		return FieldErrors(map[string]string{field: fmt.Sprintf("must be at most %s (the request, within the public funding ceiling)", FormatEuros(maxGrant))})
	}
	return nil
}

// AmountCompletion completes a task with an amount: the préfet's grant in a programming
// session (the comment is the motivation when it departs from the ranking), or the
// applicant's request for an advance.
type AmountCompletion struct {
	Comment string      `json:"comment" validate:"max=2000"`
	Data    *AmountData `json:"data" validate:"required"`
}

// AmountData is an amount granted or asked for.
type AmountData struct {
	AmountCents Cents `json:"amount_cents" validate:"min=1,cents"`
}

// FinalStatement is the applicant's final statement of the project's actual eligible expenses.
type FinalStatement struct {
	Comment string              `json:"comment" validate:"max=2000"`
	Data    *FinalStatementData `json:"data" validate:"required"`
}

// FinalStatementData is the actual eligible expenses of the finished project.
type FinalStatementData struct {
	EligibleExpensesCents Cents `json:"eligible_expenses_cents" validate:"min=0,cents"`
}

// RecoveryCompletion records that an advance was recovered (titre de perception paid).
type RecoveryCompletion struct {
	Comment string        `json:"comment" validate:"max=2000"`
	Data    *RecoveryData `json:"data" validate:"required"`
}

// RecoveryData is when the advance came back, and the accounting reference.
type RecoveryData struct {
	RecoveredOn string `json:"recovered_on" validate:"required,datetime=2006-01-02"`
	Reference   string `json:"reference" validate:"notblank,min=3,max=64"`
}

// Check verifies a recovery is not dated in the future (a day's leeway for time zones).
func (r RecoveryData) Check(now time.Time) error {
	return notFuture("data.recovered_on", r.RecoveredOn, now)
}

// DefaultAdvanceSharePercent is the share of a grant an advance may reach by default.
const DefaultAdvanceSharePercent = 30

// MaxAdvance is the most an advance on granted may be under share (a percentage).
func MaxAdvance(granted Cents, share int) Cents { return granted * Cents(share) / 100 }

// FinalGrant recomputes a grant from the final statement: pro rata of the actual eligible
// expenses to those planned when they are lower, never more than granted.
func FinalGrant(granted, plannedEligible, actualEligible Cents) Cents {
	if plannedEligible <= 0 || actualEligible >= plannedEligible {
		return granted
	}
	// granted × actual / planned, floored: the State never pays a cent too many.
	return granted * actualEligible / plannedEligible
}

// Score is an instructor's scoring of a prefectoral dossier, as the programming sessions
// rank it: out of 100, with the amount proposed and the most the grant may be.
type Score struct {
	DossierID     string `json:"dossier_id"`
	EnvelopeCode  string `json:"envelope_code"`
	Score         int    `json:"score"`
	ProposedCents Cents  `json:"proposed_cents"`
	MaxGrantCents Cents  `json:"max_grant_cents"`
}
