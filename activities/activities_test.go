package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// newActivities runs the activities over a fresh SQLite store holding a tiny registry.
func newActivities(t *testing.T) (*Activities, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "a.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	require.NoError(t, st.ImportRegistry(ctx, []models.Collectivite{
		{Type: models.TypeCommune, Code: "75056", Siren: "217500016", Name: "Paris", Departement: "75", Region: "11", Population: 2_100_000},
		{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53", Population: 230_000},
		{Type: models.TypeCommune, Code: "35047", Siren: "213500473", Name: "Bruz", Departement: "35", Region: "53", Population: 19_000},
	}, nil))
	return &Activities{Store: st}, st
}

func dossier(t *testing.T, st *store.Store, id, siren string, kind models.DossierKind, payload any) {
	t.Helper()
	b, err := json.Marshal(payload)
	require.NoError(t, err)
	_, _, err = st.CreateDossier(context.Background(), models.Dossier{ID: id, Kind: kind, Status: models.StatusSubmitted,
		ApplicantSiren: siren, EnvelopeCode: models.EnvelopeGuichet, Payload: b, CreatedBy: "t"}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)
}

func TestFundGuichetAnswersRefusalsAsOutcomes(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	app := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 900_000}
	dossier(t, st, "d1", "217500016", models.KindGuichet, app)
	dossier(t, st, "d2", "217500016", models.KindGuichet, app)
	f, err := a.FundGuichet(ctx, "d1")
	require.NoError(t, err)
	require.Equal(t, Funding{Funded: true, GrantedCents: 500_000}, f)
	f, err = a.FundGuichet(ctx, "d1")
	require.NoError(t, err)
	require.True(t, f.Funded, "a retried activity finds its own funding")
	f, err = a.FundGuichet(ctx, "d2")
	require.NoError(t, err)
	require.False(t, f.Funded)
	require.Contains(t, f.Refusal, "already holds its franceconnect funding")

	_, err = a.FundGuichet(ctx, "missing")
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.True(t, appErr.NonRetryable(), "a missing dossier will not appear by retrying")
	require.Equal(t, models.ENotFound, appErr.Type())
}

func TestCheckAAPEligibilityExplains(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	dossier(t, st, "big", "217500016", models.KindAAP, models.AAPApplication{})
	dossier(t, st, "small", "213502388", models.KindAAP, models.AAPApplication{PartnerSirens: []string{"213500473", "123456782"}})
	e, err := a.CheckAAPEligibility(ctx, "big")
	require.NoError(t, err)
	require.True(t, e.Eligible)
	e, err = a.CheckAAPEligibility(ctx, "small")
	require.NoError(t, err)
	require.False(t, e.Eligible)
	require.EqualValues(t, 249_000, e.Population, "the partners count with the applicant")
	require.Contains(t, e.Reasons, "SIREN 123456782 is not a collectivité or structure of the registry")
}

func TestAlertTaskWritesOnce(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	dossier(t, st, "d1", "217500016", models.KindGuichet, models.GuichetApplication{})
	due := time.Now().UTC()
	task := models.Task{ID: "d1.disbursement.0", DossierID: "d1", Type: models.TaskDisbursement, Role: models.RoleFinance,
		Scope: models.ScopeNational, DueAt: &due}
	require.NoError(t, st.CreateTask(ctx, task))
	for range 2 {
		require.NoError(t, a.AlertTask(ctx, TaskAlert{Kind: AlertEscalation, Task: task}))
	}
	outbox, err := st.Notifications(ctx, "d1", 0, 10)
	require.NoError(t, err)
	require.Len(t, outbox, 1, "a retried alert queues one message")
	require.Equal(t, "role:finance:national", outbox[0].Recipient)
	trail, err := st.AuditTrail(ctx, "d1")
	require.NoError(t, err)
	require.Len(t, trail, 1)
	require.Equal(t, "task_escalated", trail[0].Action)
	got, err := st.Task(ctx, task.ID)
	require.NoError(t, err)
	require.NotNil(t, got.EscalatedAt)
}

func TestEveryDecisionTellsTheApplicantOnce(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	granted := models.Cents(4_000_000)
	missing := []models.ChecklistItem{{Key: "rgpd", Label: "Registre RGPD tenu à jour"}}
	cases := []struct {
		name   string
		before models.Status
		in     StatusInput
		want   []string // in the subject, then in the body
	}{
		{"funded", models.StatusChecking, StatusInput{Status: models.StatusAwaitingPayment, GrantedCents: &granted,
			Audit: Audit{Key: "funded", Actor: "system", Action: models.AuditFunded}}, []string{"subvention accordée", "40 000,00 €"}},
		{"incomplete", models.StatusChecking, StatusInput{Status: models.StatusIncomplete, MissingItems: missing, Reason: "1 item(s)",
			Audit: Audit{Key: "incomplete/0", Actor: "system", Action: models.AuditIncomplete}}, []string{"dossier incomplet", "Registre RGPD tenu à jour (rgpd)"}},
		{"refused", models.StatusChecking, StatusInput{Status: models.StatusRefused, Reason: "SIREN 123 is not a collectivité",
			Audit: Audit{Key: "closed/refused", Actor: "system", Action: models.AuditRefused}}, []string{"demande refusée", "Motif : SIREN 123 is not a collectivité"}},
		{"not preselected", models.StatusPreselection, StatusInput{Status: models.StatusRefused, Reason: "not preselected: hors sujet",
			Audit: Audit{Key: "closed/refused", Actor: "system", Action: models.AuditRefused}}, []string{"non présélectionné", "hors sujet"}},
		{"info requested", models.StatusPreselection, StatusInput{Status: models.StatusInfoRequested, Reason: "Quel est le calendrier ?",
			Audit: Audit{Key: "info-requested/0", Actor: "instructeur", Action: models.AuditInfoRequested}}, []string{"demande d'informations", "Quel est le calendrier ?"}},
		{"preselected", models.StatusPreselection, StatusInput{Status: models.StatusPreselected,
			Audit: Audit{Key: "preselected", Actor: "instructeur", Action: models.AuditPreselected}}, []string{"dossier présélectionné", "jury"}},
		{"not laureate", models.StatusJury, StatusInput{Status: models.StatusRefused, Reason: "the jury refused: 0 vote(s) to grant",
			Audit: Audit{Key: "closed/refused", Actor: "system", Action: models.AuditRefused}}, []string{"non retenu par le jury", "0 vote(s) to grant"}},
		{"waiting list", models.StatusJury, StatusInput{Status: models.StatusWaitingList, GrantedCents: &granted,
			Audit: Audit{Key: "waiting-list", Actor: "system", Action: models.AuditWaitingList}}, []string{"liste d'attente", "40 000,00 €"}},
		{"laureate", models.StatusJury, StatusInput{Status: models.StatusAwaitingSignature, GrantedCents: &granted,
			Audit: Audit{Key: "laureate", Actor: "system", Action: models.AuditLaureate}}, []string{"convention à signer", "40 000,00 €"}},
		{"lapsed", models.StatusAwaitingSignature, StatusInput{Status: models.StatusLapsed, Reason: "not signed before its deadline",
			Audit: Audit{Key: "closed/lapsed", Actor: "system", Action: models.AuditLapsed}}, []string{"subvention caduque", "not signed before its deadline"}},
		{"closed without action", models.StatusIncomplete, StatusInput{Status: models.StatusClosedWithoutAction, Reason: "no amendment within 720h",
			Audit: Audit{Key: "closed/closed_without_action", Actor: "system", Action: models.AuditLapsed}}, []string{"classé sans suite", "no amendment within 720h"}},
		{"paid", models.StatusAwaitingPayment, StatusInput{Status: models.StatusPaid, GrantedCents: &granted,
			Audit: Audit{Key: "closed/paid", Actor: "system", Action: "paid"}}, []string{"subvention versée", "40 000,00 €"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := fmt.Sprintf("d%d", i)
			dossier(t, st, id, "217500016", models.KindGuichet, models.GuichetApplication{})
			require.NoError(t, st.SetDossierStatus(ctx, id, store.StatusChange{Status: tc.before}))
			tc.in.DossierID = id
			for range 3 { // a retried activity
				require.NoError(t, a.RecordStatus(ctx, tc.in))
			}
			outbox, err := st.Notifications(ctx, id, 0, 10)
			require.NoError(t, err)
			require.Len(t, outbox, 1, "one message per decision, however often the step runs")
			n := outbox[0]
			require.Equal(t, "role:applicant:217500016", n.Recipient, "the applicant's mailbox: the filer's subject is no address")
			require.Contains(t, n.Subject, id)
			require.Contains(t, n.Subject, tc.want[0])
			require.Contains(t, n.Body, tc.want[1])
			trail, err := st.AuditTrail(ctx, id)
			require.NoError(t, err)
			require.Len(t, trail, 1)
			require.Equal(t, tc.in.Audit.Action, trail[0].Action)
		})
	}

	// A step that is no decision tells nobody; a second round of the same decision tells again.
	dossier(t, st, "steps", "217500016", models.KindGuichet, models.GuichetApplication{})
	require.NoError(t, a.RecordStatus(ctx, StatusInput{DossierID: "steps", Status: models.StatusChecking,
		Audit: Audit{Key: "submitted", Actor: "t", Action: models.AuditSubmitted}}))
	for round := range 2 {
		require.NoError(t, a.RecordStatus(ctx, StatusInput{DossierID: "steps", Status: models.StatusIncomplete, MissingItems: missing,
			Audit: Audit{Key: fmt.Sprintf("incomplete/%d", round), Actor: "system", Action: models.AuditIncomplete}}))
	}
	outbox, err := st.Notifications(ctx, "steps", 0, 10)
	require.NoError(t, err)
	require.Len(t, outbox, 2)
}

func TestDecisionGoesToTheFilerWhenAnAddressAndNamesTheDeadline(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	b, err := json.Marshal(models.AAPApplication{})
	require.NoError(t, err)
	_, _, err = st.CreateDossier(ctx, models.Dossier{ID: "d1", Kind: models.KindAAP, Status: models.StatusSubmitted,
		ApplicantSiren: "217500016", ApplicantName: "Paris", EnvelopeCode: "axe2.donnees", Payload: b, CreatedBy: "maire@paris.fr"}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)
	due := time.Date(2027, 3, 14, 12, 0, 0, 0, time.UTC)
	require.NoError(t, st.CreateTask(ctx, models.Task{ID: "d1.information.0", DossierID: "d1", Type: models.TaskInformation,
		Role: models.RoleApplicant, Scope: models.CollectiviteScope("217500016"), DueAt: &due}))
	require.NoError(t, a.RecordStatus(ctx, StatusInput{DossierID: "d1", Status: models.StatusInfoRequested, Reason: "Quel calendrier ?",
		Audit: Audit{Key: "info-requested/0", Actor: "i", Action: models.AuditInfoRequested}}))
	promoted, err := a.WithdrawDossier(ctx, WithdrawInput{DossierID: "d1", Actor: "admin", Reason: "doublon"})
	require.NoError(t, err)
	require.Empty(t, promoted)
	_, err = a.WithdrawDossier(ctx, WithdrawInput{DossierID: "d1", Actor: "admin", Reason: "doublon"})
	require.NoError(t, err)

	outbox, err := st.Notifications(ctx, "d1", 0, 10)
	require.NoError(t, err)
	require.Len(t, outbox, 2, "the request for information, then the withdrawal, once each")
	withdrawn, info := outbox[0], outbox[1]
	require.Equal(t, "user:maire@paris.fr", info.Recipient)
	require.Contains(t, info.Subject, "Paris")
	require.Contains(t, info.Body, "Répondez avant le 14/03/2027")
	require.Contains(t, withdrawn.Subject, "dossier retiré")
	require.Contains(t, withdrawn.Body, "Motif : doublon")
}
