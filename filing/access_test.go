package filing_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

var marseille = models.Principal{Subject: "agent.13", Roles: []models.Role{models.RoleApplicant}, Siren: "211300553"}

const unknownID = "0190f3b4-0000-7000-8000-000000000000"

// TestActsLoadWhatTheyActOn: an act on a dossier or a task takes its ID and loads it as
// its caller may see it, whoever called: an unknown ID is not found, a dossier outside
// the caller's scope forbidden, and a task closed since the caller read it is refused.
func TestActsLoadWhatTheyActOn(t *testing.T) {
	tc := newFake()
	s := newService(t, tc)
	ctx := context.Background()
	filed, err := s.FileGuichet(ctx, paris, "k", app)
	require.NoError(t, err)
	d := filed.Dossier

	answer := models.InformationAnswer{Answer: "Le devis est joint."}
	require.Equal(t, models.EForbidden, models.ErrorCode(s.ProvideInformation(ctx, marseille, d.ID, answer)), "another collectivité's dossier")
	require.Equal(t, models.ENotFound, models.ErrorCode(s.ProvideInformation(ctx, paris, unknownID, answer)))
	require.Equal(t, models.EConflict, models.ErrorCode(s.ProvideInformation(ctx, paris, d.ID, answer)), "a guichet dossier is asked nothing")

	withdrawal := models.Withdrawal{Reason: "the collectivité gave the project up"}
	require.Equal(t, models.ENotFound, models.ErrorCode(s.Withdraw(ctx, admin, unknownID, withdrawal)))
	require.Equal(t, models.ENotFound, models.ErrorCode(s.Withdraw(ctx, admin, "x", withdrawal)))
	require.Equal(t, models.EForbidden, models.ErrorCode(s.Withdraw(ctx, paris, d.ID, withdrawal)))
	require.Empty(t, tc.updates, "nothing refused reached the workflow")
	require.Equal(t, models.EConflict, models.ErrorCode(s.Withdraw(ctx, admin, d.ID, withdrawal)), "the fake's workflow has closed")
	require.Len(t, tc.updates, 1)
	require.Equal(t, d.WorkflowID(), tc.updates[0].WorkflowID)
	require.Equal(t, workflows.UpdateWithdraw, tc.updates[0].UpdateName)

	due := time.Now().Add(24 * time.Hour)
	task := models.Task{ID: d.ID + ".disbursement.0", DossierID: d.ID, Type: models.TaskDisbursement, Role: models.RoleFinance,
		Scope: models.ScopeNational, DueAt: &due}
	require.NoError(t, s.Store.CreateTask(ctx, task))
	reassignment := models.Reassignment{Assignee: "finance.bis", Reason: "finance.anct is on leave"}
	extension := models.Extension{DueAt: due.Add(24 * time.Hour), Reason: "the payment run moved"}
	_, err = s.ReassignTask(ctx, admin, "missing", reassignment)
	require.Equal(t, models.ENotFound, models.ErrorCode(err))
	_, err = s.ExtendTask(ctx, admin, "missing", extension)
	require.Equal(t, models.ENotFound, models.ErrorCode(err))
	_, err = s.ReassignTask(ctx, marseille, task.ID, reassignment)
	require.ErrorContains(t, err, "outside your scope")
	_, err = s.ExtendTask(ctx, marseille, task.ID, extension)
	require.ErrorContains(t, err, "outside your scope")
	_, err = s.ReassignTask(ctx, admin, task.ID, reassignment)
	require.Equal(t, models.EConflict, models.ErrorCode(err), "the fake's workflow has closed")
	require.Len(t, tc.updates, 2)
	require.Equal(t, task.ID, tc.updates[1].Args[0].(workflows.ReassignTaskRequest).TaskID)

	require.NoError(t, s.Store.CloseTask(ctx, task.ID, "finance.anct", "paid", "", nil))
	_, err = s.ExtendTask(ctx, admin, task.ID, extension)
	require.ErrorContains(t, err, "is already done", "the task as it stands, not as a caller read it")
	require.Len(t, tc.updates, 2)
}
