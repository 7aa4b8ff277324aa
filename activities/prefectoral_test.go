package activities

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// TestCheckPrefectoral: the facts of an application come from the registry, the territory's
// rules and the administrator's lists; the CRTE named wins over the one covering the
// applicant; a dossier on a région's kept envelope is decided at the région.
func TestCheckPrefectoral(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	require.NoError(t, st.PutAxe3Rules(ctx, models.Axe3Rules{Scope: models.DepartementScope("35"), PopulationCap: 100_000, MaxPublicRatePercent: 80,
		Weights: [5]int{3, 1, 1, 1, 1}}, "p35"))
	require.NoError(t, st.ImportRegistry(ctx, []models.Collectivite{
		{Type: models.TypeEPCI, Code: "243500139", Siren: "243500139", Name: "Rennes Métropole", Departement: "35", Region: "53", Members: []string{"213502388", "213500473"}},
	}, nil))
	signed := time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, st.PutCRTE(ctx, models.CRTE{ID: "crte-rennes", Name: "CRTE Rennes Métropole", EPCIs: []string{"243500139"}, SignedOn: signed}, "admin"))
	require.NoError(t, st.PutCRTE(ctx, models.CRTE{ID: "crte-bruz", Name: "Contrat de Bruz", Communes: []string{"213500473"}, SignedOn: signed.AddDate(0, 1, 0)}, "admin"))
	file := func(id, siren, envelope string, app models.PrefectoralApplication) {
		b, err := json.Marshal(app)
		require.NoError(t, err)
		_, _, err = st.CreateDossier(ctx, models.Dossier{ID: id, Kind: models.KindPrefectoral, Status: models.StatusSubmitted, ApplicantSiren: siren,
			Departement: "35", Region: "53", EnvelopeCode: envelope, Payload: b, CreatedBy: "t"}, store.IdempotencyKey{}, nil)
		require.NoError(t, err)
	}
	app := models.PrefectoralApplication{RequestedCents: models.Euros(8_000), LabID: "labo",
		Expenses: []models.ExpenseLine{{Category: models.ExpenseStudies, Label: "Étude", AmountCents: models.Euros(10_000)},
			{Category: models.ExpenseEquipment, Label: "Tablettes", AmountCents: models.Euros(1_000)}}}
	file("bruz", "213500473", models.DepartementEnvelope("53", "35"), app)
	f, err := a.CheckPrefectoral(ctx, "bruz")
	require.NoError(t, err)
	require.False(t, f.Eligibility.Eligible, "an equipment line")
	require.Equal(t, models.Euros(10_000), f.PlannedEligible)
	require.True(t, f.InvolvesLab)
	require.Equal(t, [5]int{3, 1, 1, 1, 1}, f.Weights)
	require.Equal(t, models.DepartementScope("35"), f.TerritorialScope)
	require.Equal(t, "crte-rennes", f.CRTE.ID, "the earliest signed of the two covering Bruz")

	app.CRTEID, app.LabID = "crte-bruz", ""
	app.Expenses = app.Expenses[:1]
	file("bruz-named", "213500473", models.KeptEnvelope("53"), app)
	f, err = a.CheckPrefectoral(ctx, "bruz-named")
	require.NoError(t, err)
	require.True(t, f.Eligibility.Eligible, f.Eligibility.Reasons)
	require.Equal(t, "crte-bruz", f.CRTE.ID, "the CRTE the application names")
	require.Equal(t, models.RegionScope("53"), f.TerritorialScope, "a kept envelope is the préfet de région's")
	require.False(t, f.InvolvesLab)

	file("uncovered", "217500016", models.KeptEnvelope("53"), models.PrefectoralApplication{}) // a SIREN no CRTE covers
	f, err = a.CheckPrefectoral(ctx, "uncovered")
	require.NoError(t, err)
	require.Nil(t, f.CRTE)
}

// The applicant's messages of a prefectoral grant name what the dossier alone does not
// hold: the CRTE whose annex carries the grant, the advance paid.
func TestPrefectoralNoticesNameTheCRTEAndTheAdvance(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	require.NoError(t, st.PutCRTE(ctx, models.CRTE{ID: "crte-bruz", Name: "Contrat de Bruz", Communes: []string{"213500473"},
		SignedOn: time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)}, "admin"))
	granted := models.Euros(40_000)
	for _, id := range []string{"annex", "adhoc"} {
		dossier(t, st, id, "213500473", models.KindPrefectoral, models.PrefectoralApplication{})
		require.NoError(t, st.SetDossierStatus(ctx, id, store.StatusChange{Status: models.StatusInSession}))
	}
	require.NoError(t, st.CreateTask(ctx, models.Task{ID: models.TaskID("annex", models.TaskConventionSignature, 0), DossierID: "annex",
		Type: models.TaskConventionSignature, Role: models.RolePrefet, Scope: models.DepartementScope("35")}))
	due := time.Date(2027, 3, 14, 12, 0, 0, 0, time.UTC)
	require.NoError(t, st.CreateTask(ctx, models.Task{ID: models.TaskID("adhoc", models.TaskConventionSignature, 0), DossierID: "adhoc",
		Type: models.TaskConventionSignature, Role: models.RoleApplicant, Scope: models.CollectiviteScope("213500473"), DueAt: &due}))
	last := func(id string) models.Notification {
		outbox, err := st.Notifications(ctx, id, 0, 10)
		require.NoError(t, err)
		require.NotEmpty(t, outbox)
		return outbox[0]
	}
	for _, id := range []string{"annex", "adhoc"} {
		require.NoError(t, a.RecordStatus(ctx, StatusInput{DossierID: id, Status: models.StatusAwaitingSignature, GrantedCents: &granted,
			Audit: Audit{Key: "laureate", Actor: "system", Action: models.AuditLaureate}}))
	}
	require.Contains(t, last("annex").Body, "annexe financière du CRTE « Contrat de Bruz »")
	require.Contains(t, last("adhoc").Body, "avant le 14/03/2027", "the applicant signs an ad hoc agreement")
	require.NotContains(t, last("adhoc").Body, "CRTE")

	_, err := st.ReserveFirst(ctx, "annex", []string{models.EnvelopeAxe3Lab}, granted)
	require.NoError(t, err)
	require.NoError(t, st.Commit(ctx, "annex"))
	require.NoError(t, st.PayPart(ctx, "annex", "advance", "PAY-1", models.Euros(12_000)))
	require.NoError(t, a.RecordStatus(ctx, StatusInput{DossierID: "annex", Status: models.StatusInProgress,
		Audit: Audit{Key: "in-progress", Actor: "system", Action: string(models.StatusInProgress)}}))
	require.NoError(t, a.RecordStatus(ctx, StatusInput{DossierID: "annex", Status: models.StatusInProgress,
		Audit: Audit{Key: "in-progress/advance", Actor: "system", Action: string(models.StatusInProgress)}}))
	require.Contains(t, last("annex").Subject, "avance versée")
	require.Contains(t, last("annex").Body, "avance de 12 000,00 €")
	require.NoError(t, a.RecordStatus(ctx, StatusInput{DossierID: "annex", Status: models.StatusRecovery,
		Audit: Audit{Key: "recovery", Actor: "system", Action: models.AuditRecoveryOrdered}}))
	require.NoError(t, st.Recover(ctx, "annex", "recovery", "OR-1", models.Euros(12_000)))
	require.NoError(t, a.RecordStatus(ctx, StatusInput{DossierID: "annex", Status: models.StatusLapsed, Reason: "no final statement",
		Audit: Audit{Key: "closed/lapsed", Actor: "system", Action: models.AuditLapsed}}))
	require.Contains(t, last("annex").Body, "L'avance de 12 000,00 € versée à votre collectivité fait l'objet d'un ordre de reversement")
	outbox, err := st.Notifications(ctx, "annex", 0, 10)
	require.NoError(t, err)
	require.Len(t, outbox, 5, "granted, signed, advance, recovery, lapse")
}

// TestResolveTerritory: a dossier filed on its région's kept envelope is scored on its
// département's once the préfet de région has delegated one, with an audit event, once.
func TestResolveTerritory(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	require.NoError(t, st.SetRegionalSplit(ctx, map[string]models.Cents{"53": models.Euros(10_000_000), "11": models.Euros(20_000_000)}, "admin"))
	file := func(id, envelope string) {
		b, err := json.Marshal(models.PrefectoralApplication{})
		require.NoError(t, err)
		_, _, err = st.CreateDossier(ctx, models.Dossier{ID: id, Kind: models.KindPrefectoral, Status: models.StatusScoring, ApplicantSiren: "213500473",
			Departement: "35", Region: "53", EnvelopeCode: envelope, Payload: b, CreatedBy: "t"}, store.IdempotencyKey{}, nil)
		require.NoError(t, err)
	}
	file("kept", models.KeptEnvelope("53"))
	got, err := a.ResolveTerritory(ctx, "kept")
	require.NoError(t, err)
	require.Equal(t, Territory{Envelope: models.KeptEnvelope("53"), Scope: models.RegionScope("53")}, got, "no delegation yet: the région's")

	_, err = st.Delegate(ctx, "53", "35", models.Euros(50_000), "p53")
	require.NoError(t, err)
	for range 2 { // a retried activity
		got, err = a.ResolveTerritory(ctx, "kept")
		require.NoError(t, err)
		require.Equal(t, Territory{Envelope: models.DepartementEnvelope("53", "35"), Scope: models.DepartementScope("35")}, got)
	}
	d, err := st.Dossier(ctx, "kept")
	require.NoError(t, err)
	require.Equal(t, models.DepartementEnvelope("53", "35"), d.EnvelopeCode)
	trail, err := st.AuditTrail(ctx, "kept")
	require.NoError(t, err)
	require.Len(t, trail, 1)
	require.Equal(t, models.AuditEnvelopeChanged, trail[0].Action)

	// A regional applicant (no département) stays on the région's kept envelope.
	b, err := json.Marshal(models.PrefectoralApplication{})
	require.NoError(t, err)
	_, _, err = st.CreateDossier(ctx, models.Dossier{ID: "region", Kind: models.KindPrefectoral, Status: models.StatusScoring, ApplicantSiren: "235300019",
		Region: "53", EnvelopeCode: models.KeptEnvelope("53"), Payload: b, CreatedBy: "t"}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)
	got, err = a.ResolveTerritory(ctx, "region")
	require.NoError(t, err)
	require.Equal(t, Territory{Envelope: models.KeptEnvelope("53"), Scope: models.RegionScope("53")}, got)
}
