package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/relance/relance/models"
)

// GuichetCapInput identifies a collectivité's funding of one kind.
type GuichetCapInput struct {
	DossierID string
	Siren     string
	Kind      models.GuichetKind
}

// GuichetCapHolder returns another dossier already holding the SIREN's funding of that
// kind, or "" when the cap leaves room for this one.
func (a *Activities) GuichetCapHolder(ctx context.Context, in GuichetCapInput) (string, error) {
	holder, err := a.Store.GuichetGrantHolder(ctx, in.Siren, in.Kind)
	if err != nil || holder == in.DossierID {
		return "", err
	}
	return holder, nil
}

// Compliance is the result of checking an application against its specification.
type Compliance struct {
	Version string
	Missing []models.ChecklistItem
}

// CheckGuichetCompliance checks the dossier's checklist against the specification it answers.
func (a *Activities) CheckGuichetCompliance(ctx context.Context, dossierID string) (Compliance, error) {
	app, err := a.guichetApplication(ctx, dossierID)
	if err != nil {
		return Compliance{}, err
	}
	spec, ok := models.ChecklistByVersion(app.ChecklistVersion)
	if !ok {
		return Compliance{}, classify(models.Errorf(models.EInvalid, "unknown checklist version %q", app.ChecklistVersion))
	}
	return Compliance{Version: spec.Version, Missing: spec.Missing(app.Checklist)}, nil
}

// AmendInput is an applicant's new checklist for an incomplete dossier.
type AmendInput struct {
	DossierID string
	Checklist map[string]bool
	Audit     Audit
}

// SaveGuichetChecklist replaces the dossier's checklist (the last amendment wins, so a retry is harmless).
func (a *Activities) SaveGuichetChecklist(ctx context.Context, in AmendInput) error {
	app, err := a.guichetApplication(ctx, in.DossierID)
	if err != nil {
		return err
	}
	app.Checklist = in.Checklist
	if err := a.Store.SetGuichetApplication(ctx, in.DossierID, app); err != nil {
		return classify(err)
	}
	return a.audit(ctx, in.DossierID, in.Audit)
}

// Funding is the outcome of trying to fund a compliant guichet dossier.
type Funding struct {
	Funded       bool
	GrantedCents models.Cents
	// Refusal explains why it was not funded (cap reached, envelope exhausted).
	Refusal string
}

// FundGuichet takes the collectivité's funding slot and reserves the grant on the guichet
// envelope, atomically. A full cap or an empty envelope is an answer, not an error.
func (a *Activities) FundGuichet(ctx context.Context, dossierID string) (Funding, error) {
	d, err := a.Store.Dossier(ctx, dossierID)
	if err != nil {
		return Funding{}, classify(err)
	}
	app, err := decodeGuichet(d)
	if err != nil {
		return Funding{}, err
	}
	grant := app.GrantCents()
	err = a.Store.FundGuichet(ctx, dossierID, d.ApplicantSiren, app.Kind, d.EnvelopeCode, grant)
	switch {
	case errors.Is(err, models.ErrCapReached):
		return Funding{Refusal: fmt.Sprintf("collectivité %s already holds its %s funding", d.ApplicantSiren, app.Kind)}, nil
	case errors.Is(err, models.ErrEnvelopeExhausted):
		return Funding{Refusal: fmt.Sprintf("the guichet envelope cannot cover %s", models.FormatEuros(grant))}, nil
	case err != nil:
		return Funding{}, classify(err)
	}
	return Funding{Funded: true, GrantedCents: grant}, nil
}

func (a *Activities) guichetApplication(ctx context.Context, dossierID string) (models.GuichetApplication, error) {
	d, err := a.Store.Dossier(ctx, dossierID)
	if err != nil {
		return models.GuichetApplication{}, classify(err)
	}
	return decodeGuichet(d)
}

func decodeGuichet(d models.Dossier) (models.GuichetApplication, error) {
	var app models.GuichetApplication
	if err := json.Unmarshal(d.Payload, &app); err != nil {
		return app, classify(models.Errorf(models.EInvalid, "dossier %s has an unreadable application: %v", d.ID, err))
	}
	return app, nil
}
