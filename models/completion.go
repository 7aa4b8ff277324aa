package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Outcomes of the human tasks; a jury member's outcome is a VoteChoice.
const (
	OutcomePreselect   = "preselect"
	OutcomeReject      = "reject"
	OutcomeRequestInfo = "request_info"
	OutcomeAnswered    = "answered"
	OutcomeSigned      = "signed"
	OutcomePaid        = "paid"
)

// Completion is a person's completion of a task, as the API receives it and the
// workflow's Update validator checks it. What the comment and the data must hold depends
// on the outcome: Payload decodes them into that outcome's type and checks its rules.
type Completion struct {
	Outcome string          `json:"outcome" validate:"required"`
	Comment string          `json:"comment"`
	Data    json.RawMessage `json:"data"`
}

// PreselectCompletion preselects a dossier; a comment is optional.
type PreselectCompletion struct {
	Comment string `json:"comment" validate:"max=2000"`
}

// MotivatedCompletion rejects a dossier, or asks its applicant for information: the
// comment gives the motivation, or the question.
type MotivatedCompletion struct {
	Comment string `json:"comment" validate:"notblank,min=10,max=2000"`
}

// AnswerCompletion is the applicant's answer to a request for information, given as the
// comment (or as POST /dossiers/{id}/information's answer: the same "answer" rule).
type AnswerCompletion struct {
	Comment string `json:"comment" validate:"answer"`
}

// InformationAnswer is an applicant's answer to a request for information as POST
// /dossiers/{id}/information receives it, under the rule of an "answered" completion.
type InformationAnswer struct {
	Answer string `json:"answer" validate:"answer"`
}

// VoteCompletion refuses a dossier, or recuses a jury member: the comment states why
// (the conflict of interest for a recusal).
type VoteCompletion struct {
	Comment string `json:"comment" validate:"notblank,min=3,max=2000"`
}

// GrantCompletion is a jury member's vote to grant an amount.
type GrantCompletion struct {
	Comment string    `json:"comment" validate:"notblank,min=3,max=2000"`
	Data    *VoteData `json:"data" validate:"required"`
}

// VoteData is what a jury member adds to a vote to grant: the amount, at most the request
// (which Check verifies).
type VoteData struct {
	AmountCents Cents `json:"amount_cents" validate:"required,cents"`
}

// SignatureCompletion records a party's signature of the financing agreement.
type SignatureCompletion struct {
	Comment string         `json:"comment" validate:"max=2000"`
	Data    *SignatureData `json:"data" validate:"required"`
}

// SignatureData is the date a party signed the financing agreement.
type SignatureData struct {
	SignedOn string `json:"signed_on" validate:"required,datetime=2006-01-02"`
}

// PaymentCompletion records the payment of a grant.
type PaymentCompletion struct {
	Comment string   `json:"comment" validate:"max=2000"`
	Data    *Payment `json:"data" validate:"required"`
}

// outcome is one outcome of a task type and the type its completion decodes into.
type outcome struct {
	name    string
	hasData bool
	payload func() any
}

// taskOutcomes lists each task type's outcomes.
var taskOutcomes = map[TaskType][]outcome{
	TaskPreselection: {
		{OutcomePreselect, false, func() any { return &PreselectCompletion{} }},
		{OutcomeReject, false, func() any { return &MotivatedCompletion{} }},
		{OutcomeRequestInfo, false, func() any { return &MotivatedCompletion{} }},
	},
	TaskInformation: {{OutcomeAnswered, false, func() any { return &AnswerCompletion{} }}},
	TaskJuryDecision: {
		{string(VoteGrant), true, func() any { return &GrantCompletion{} }},
		{string(VoteRefuse), false, func() any { return &VoteCompletion{} }},
		{string(VoteRecuse), false, func() any { return &VoteCompletion{} }},
	},
	TaskConventionSignature: {{OutcomeSigned, true, func() any { return &SignatureCompletion{} }}},
	TaskDisbursement:        {{OutcomePaid, true, func() any { return &PaymentCompletion{} }}},
	TaskAdmissibility: {
		{OutcomeAdmissible, false, func() any { return &PreselectCompletion{} }},
		{OutcomeInadmissible, false, func() any { return &MotivatedCompletion{} }},
		{OutcomeRequestInfo, false, func() any { return &MotivatedCompletion{} }},
	},
	TaskScoring: {{OutcomeScored, true, func() any { return &ScoringCompletion{} }}},
	TaskProgramming: {
		{OutcomeGrant, true, func() any { return &AmountCompletion{} }},
		{OutcomeRefuse, false, func() any { return &MotivatedCompletion{} }},
		{OutcomePostpone, false, func() any { return &MotivatedCompletion{} }},
	},
	TaskAdvanceRequest: {{OutcomeRequested, true, func() any { return &AmountCompletion{} }}},
	TaskFinalStatement: {{OutcomeFiled, true, func() any { return &FinalStatement{} }}},
	TaskRecovery:       {{OutcomeRecovered, true, func() any { return &RecoveryCompletion{} }}},
	TaskProposalReview: {
		{OutcomeAccept, false, func() any { return &PreselectCompletion{} }},
		{OutcomeMerge, true, func() any { return &MergeCompletion{} }},
		{OutcomeOutOfScope, false, func() any { return &MotivatedCompletion{} }},
		{OutcomeRequestInfo, false, func() any { return &MotivatedCompletion{} }},
	},
	TaskServiceRoute:         {{OutcomeRouted, true, func() any { return &RouteCompletion{} }}},
	TaskServiceInvestigation: {{OutcomeReached, true, func() any { return &MilestoneCompletion{} }}},
	TaskServiceBeta:          {{OutcomeReached, true, func() any { return &MilestoneCompletion{} }}},
	TaskServiceDeployment:    {{OutcomeReached, true, func() any { return &MilestoneCompletion{} }}},
	TaskServicePayment:       {{OutcomePaid, true, func() any { return &ServicePaymentCompletion{} }}},
	TaskServiceLegalStudy:    {{OutcomeStudied, true, func() any { return &LegalStudyCompletion{} }}},
	TaskServiceVehicle:       {{OutcomePaid, true, func() any { return &VehicleFundingCompletion{} }}},
	TaskServiceDelivery:      {{OutcomeDelivered, true, func() any { return &DeliveryCompletion{} }}},
	TaskCommitteeOpinions:    {{OutcomeOpinions, true, func() any { return &OpinionsCompletion{} }}},
	TaskCommitteeDecision:    {{OutcomeDecided, true, func() any { return &DecisionCompletion{} }}},
}

// Outcomes lists the outcomes of a task of type t, as its form offers them.
func Outcomes(t TaskType) []string {
	names := make([]string, len(taskOutcomes[t]))
	for i, o := range taskOutcomes[t] {
		names[i] = o.name
	}
	return names
}

// Payload checks a completion of a task of type t: its outcome is one of the task's, and
// its comment and data follow that outcome's field rules. It returns the decoded payload
// (*GrantCompletion, *PaymentCompletion...), for the rules that need a dossier's context.
func (c Completion) Payload(t TaskType) (any, error) {
	if err := Validate(c); err != nil {
		return nil, err
	}
	outcomes := taskOutcomes[t]
	i := slices.IndexFunc(outcomes, func(o outcome) bool { return o.name == c.Outcome })
	if i < 0 {
		return nil, FieldErrors(map[string]string{"outcome": fmt.Sprintf("must be %s for a task of type %s", quotedChoice(Outcomes(t)), t)})
	}
	o := outcomes[i]
	body := map[string]any{"comment": c.Comment}
	if len(c.Data) > 0 && string(c.Data) != "null" {
		if !o.hasData {
			return nil, FieldErrors(map[string]string{"data": "must be absent for outcome " + o.name})
		}
		body["data"] = c.Data
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, FieldErrors(map[string]string{"data": "is not JSON"})
	}
	payload := o.payload()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(payload); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			field, mustBe := JSONTypeError(typeErr)
			return nil, FieldErrors(map[string]string{field: mustBe})
		}
		return nil, FieldErrors(map[string]string{"data": "is invalid for outcome " + o.name + ": " + err.Error()})
	}
	return payload, Validate(payload)
}

// Check verifies a vote's amount against what the dossier requests.
func (v VoteData) Check(requested Cents) error {
	if v.AmountCents > requested {
		return FieldErrors(map[string]string{"data.amount_cents": fmt.Sprintf("must be at most the %d cents requested", requested)})
	}
	return nil
}

// Check verifies a signature is not dated in the future (a day's leeway for time zones).
func (s SignatureData) Check(now time.Time) error {
	return notFuture("data.signed_on", s.SignedOn, now)
}

// Check verifies a payment is not dated in the future (a day's leeway for time zones).
func (p Payment) Check(now time.Time) error { return notFuture("data.paid_on", p.PaidOn, now) }

// notFuture refuses a date (already checked as YYYY-MM-DD) after now.
func notFuture(field, date string, now time.Time) error {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return FieldErrors(map[string]string{field: "must be a date as YYYY-MM-DD"})
	}
	if d.After(now.Add(24 * time.Hour)) {
		return FieldErrors(map[string]string{field: "must not be in the future"})
	}
	return nil
}
