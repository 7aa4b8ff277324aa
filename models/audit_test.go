package models_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestRefusedAttemptsAreInternal(t *testing.T) {
	d := models.Dossier{ID: "d1", Kind: models.KindGuichet, ApplicantSiren: "217500016", Departement: "75"}
	refused := models.AuditEvent{Action: models.AuditRefusedAttempt}
	step := models.AuditEvent{Action: models.AuditFunded}
	as := func(roles ...models.Role) models.Principal {
		return models.Principal{Subject: "p", Roles: roles, Siren: "217500016", Departements: []string{"*"}}
	}
	for _, tc := range []struct {
		name    string
		p       models.Principal
		refused bool
	}{
		{"administrator", as(models.RoleAdmin), true},
		{"instructor", as(models.RoleInstructor), true},
		{"applicant", as(models.RoleApplicant), false},
		{"jury member", as(models.RoleJury), false},
		{"finance officer", as(models.RoleFinance), false},
		{"applicant who also administers", as(models.RoleApplicant, models.RoleAdmin), true},
		{"applicant who also sits on a jury", as(models.RoleApplicant, models.RoleJury), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.refused, tc.p.CanSeeAuditEvent(d, refused))
			require.Equal(t, tc.p.CanSeeDossier(d), tc.p.CanSeeAuditEvent(d, step), "the steps of the process are for whoever reads the dossier")
		})
	}
}

func TestDecisionNotice(t *testing.T) {
	d := models.Dossier{ID: "d1", Kind: models.KindGuichet, ApplicantSiren: "217500016", CreatedBy: "agent-1"}
	for _, s := range []models.Status{models.StatusSubmitted, models.StatusChecking, models.StatusPreselection, models.StatusJury, models.StatusDraft} {
		d.Status = s
		_, ok := models.DecisionNotice(models.Decision{After: d})
		require.False(t, ok, "%s is a step, not a decision", s)
	}
	d.Status = models.StatusPaid
	d.GrantedCents = 500_000
	n, ok := models.DecisionNotice(models.Decision{After: d})
	require.True(t, ok)
	require.Equal(t, "role:applicant:217500016", n.Recipient, "no address in the subject: the applicant mailbox")
	require.Equal(t, "Dossier d1 (SIREN 217500016) : subvention versée", n.Subject)
	require.Contains(t, n.Body, "5 000,00 €")

	d.CreatedBy, d.ApplicantName = "dgs@mairie.fr", "Paris"
	d.Kind, d.Status = models.KindAAP, models.StatusAwaitingPayment
	n, _ = models.DecisionNotice(models.Decision{After: d})
	require.Equal(t, "user:dgs@mairie.fr", n.Recipient)
	require.Equal(t, "Dossier d1 (Paris) : convention signée", n.Subject)
}
