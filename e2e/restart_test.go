package e2e

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestRestartKeepsDossiers stops the whole stack while a dossier waits for its payment and
// starts it again on the same files: the dossier is still there and its workflow goes on.
func TestRestartKeepsDossiers(t *testing.T) {
	files := newStackFiles(t)
	first := startStack(t, files)
	paris := first.token(t, applicantOf(sirenParis))
	r := first.call(t, http.MethodPost, "/api/v1/guichet/applications", paris,
		models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 700_000, Checklist: completeChecklist(models.GuichetFranceConnect)})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var d models.Dossier
	r.decode(t, &d)
	view := first.waitStatus(t, paris, d.ID, models.StatusAwaitingPayment)
	first.stop()

	second := startStack(t, files)
	paris = second.token(t, applicantOf(sirenParis))
	view = second.waitStatus(t, paris, d.ID, models.StatusAwaitingPayment)
	r = second.call(t, http.MethodPost, "/api/v1/tasks/"+view.Tasks[0].ID+"/complete", second.token(t, financeOfficer),
		map[string]any{"outcome": "paid", "data": map[string]string{"paid_on": today(), "reference": "VIR-AFTER-RESTART"}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	view = second.waitStatus(t, paris, d.ID, models.StatusPaid)
	require.Equal(t, "VIR-AFTER-RESTART", view.Ledger[0].Reference)
}
