package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/relance/relance/models"
)

// PrefectoralFacts is what a prefectoral dossier's workflow needs to know of its
// application, computed once at submission: its eligibility, the territory's criteria
// weights, the eligible cost planned, the lab and the CRTE covering the applicant.
type PrefectoralFacts struct {
	Eligibility         models.PrefectoralEligibility
	Weights             [models.CriteriaCount]int
	PlannedEligible     models.Cents
	InvolvesLab         bool
	CRTE                *models.CRTE
	TerritorialScope    models.Scope
	TerritorialEnvelope string
}

// CheckPrefectoral computes a submitted Axe 3 application's facts from the registry, the
// territory's rules and the administrator's lists. The CRTE is the one the application
// names, else the one covering the applicant.
func (a *Activities) CheckPrefectoral(ctx context.Context, dossierID string) (PrefectoralFacts, error) {
	d, err := a.Store.Dossier(ctx, dossierID)
	if err != nil {
		return PrefectoralFacts{}, classify(err)
	}
	var app models.PrefectoralApplication
	if err := json.Unmarshal(d.Payload, &app); err != nil {
		return PrefectoralFacts{}, classify(models.Errorf(models.EInvalid, "dossier %s: prefectoral application: %v", dossierID, err))
	}
	t := territoryOf(d, d.EnvelopeCode)
	f := PrefectoralFacts{PlannedEligible: app.EligibleCostCents(), InvolvesLab: app.LabID != "", TerritorialEnvelope: t.Envelope,
		TerritorialScope: t.Scope}
	if f.Eligibility, err = a.Store.PrefectoralEligibility(ctx, d.ApplicantSiren, app); err != nil {
		return PrefectoralFacts{}, classify(err)
	}
	rules, err := a.Store.Axe3Rules(ctx)
	if err != nil {
		return PrefectoralFacts{}, classify(err)
	}
	f.Weights = models.ApplicableRules(rules, d.Departement, d.Region).Weights
	if f.CRTE, err = a.applicationCRTE(ctx, d); err != nil {
		return PrefectoralFacts{}, classify(err)
	}
	return f, nil
}

// Territory is the envelope a prefectoral dossier draws on and the scope of the préfet who
// decides on it.
type Territory struct {
	Envelope string
	Scope    models.Scope
}

func territoryOf(d models.Dossier, envelope string) Territory {
	if envelope == models.KeptEnvelope(d.Region) {
		return Territory{Envelope: envelope, Scope: models.RegionScope(d.Region)} // a regional envelope: the préfet de région decides
	}
	return Territory{Envelope: envelope, Scope: models.DepartementScope(d.Departement)}
}

// ResolveTerritory resolves again, as a prefectoral dossier is scored, the envelope it
// draws on: one filed on its région's kept envelope moves to its département's when the
// préfet de région has delegated one since.
func (a *Activities) ResolveTerritory(ctx context.Context, dossierID string) (Territory, error) {
	env, err := a.Store.ResolveTerritorialEnvelope(ctx, dossierID, stepKey(dossierID, Audit{Key: "territory"}))
	if err != nil {
		return Territory{}, classify(err)
	}
	d, err := a.Store.Dossier(ctx, dossierID)
	if err != nil {
		return Territory{}, classify(err)
	}
	return territoryOf(d, env), nil
}

// PrefectoralSession returns the open programming session in which a scored dossier
// waits for the préfet's decision, "" when none: the periodic check of a dossier that
// missed the signal inviting it.
func (a *Activities) PrefectoralSession(ctx context.Context, dossierID string) (string, error) {
	id, err := a.Store.OpenSessionOf(ctx, dossierID)
	return id, classify(err)
}

// applicationCRTE is the CRTE of a prefectoral dossier: the one its application names,
// else the one covering the applicant; nil when none does.
func (a *Activities) applicationCRTE(ctx context.Context, d models.Dossier) (*models.CRTE, error) {
	var app models.PrefectoralApplication
	if err := json.Unmarshal(d.Payload, &app); err != nil {
		return nil, models.Errorf(models.EInvalid, "dossier %s: prefectoral application: %v", d.ID, err)
	}
	crtes, err := a.Store.CRTEs(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range crtes {
		if c.ID == app.CRTEID {
			return &c, nil
		}
	}
	c, ok, err := a.Store.CoveringCRTE(ctx, d.ApplicantSiren)
	if err != nil || !ok {
		return nil, err
	}
	return &c, nil
}

// ReserveFirstInput is a granted amount to reserve on the first envelope that covers it.
type ReserveFirstInput struct {
	DossierID   string
	Envelopes   []string
	AmountCents models.Cents
	Audit       Audit
}

// ReserveFirst reserves a grant on the first of the envelopes that covers it, and returns
// that envelope; "" when none can (the préfet's decision then waits for money).
func (a *Activities) ReserveFirst(ctx context.Context, in ReserveFirstInput) (string, error) {
	env, err := a.Store.ReserveFirst(ctx, in.DossierID, in.Envelopes, in.AmountCents)
	if errors.Is(err, models.ErrEnvelopeExhausted) {
		return "", nil
	}
	if err != nil {
		return "", classify(err)
	}
	in.Audit.Detail = fmt.Sprintf("%s reserved on %s", models.FormatEuros(in.AmountCents), env)
	return env, a.audit(ctx, in.DossierID, in.Audit)
}

// Money movements of a prefectoral grant.
const (
	MovePay     = "pay"
	MoveRelease = "release"
	MoveRecover = "recover"
)

// MoveInput is one part of a grant's money to move: paid, released or recovered.
type MoveInput struct {
	DossierID   string
	Move        string
	Part        string
	Reference   string
	AmountCents models.Cents
	Audit       Audit
}

// MoveMoney moves one part of a grant's money (once per part) and writes its audit event.
func (a *Activities) MoveMoney(ctx context.Context, in MoveInput) error {
	var err error
	switch in.Move {
	case MovePay:
		err = a.Store.PayPart(ctx, in.DossierID, in.Part, in.Reference, in.AmountCents)
	case MoveRelease:
		err = a.Store.ReleasePart(ctx, in.DossierID, in.Part, in.AmountCents)
	case MoveRecover:
		err = a.Store.Recover(ctx, in.DossierID, in.Part, in.Reference, in.AmountCents)
	default:
		err = models.Errorf(models.EInvalid, "unknown money movement %q", in.Move)
	}
	if err != nil {
		return classify(err)
	}
	return a.audit(ctx, in.DossierID, in.Audit)
}

// ScoreInput is an instructor's scoring to record.
type ScoreInput struct {
	Score models.Score
	Audit Audit
}

// RecordScore records a dossier's score for the programming sessions, and its audit event.
func (a *Activities) RecordScore(ctx context.Context, in ScoreInput) error {
	if err := a.Store.RecordScore(ctx, in.Score); err != nil {
		return classify(err)
	}
	return a.audit(ctx, in.Score.DossierID, in.Audit)
}
