package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestWaitingListServedInRankOrder: laureates the envelope cannot cover wait; released
// money funds them best score first, and never lets a lower-ranked one jump the queue.
func TestWaitingListServedInRankOrder(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		_, err := st.SetAllocation(ctx, "axe2.donnees", 1_000_000)
		require.NoError(t, err)
		for _, id := range []string{"first", "top", "second", "small"} {
			newDossier(t, st, id, "217500016", "75")
		}
		at := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
		ok, err := st.ReserveOrWait(ctx, "first", "axe2.donnees", 800_000, 500, at)
		require.NoError(t, err)
		require.True(t, ok)
		ok, err = st.ReserveOrWait(ctx, "first", "axe2.donnees", 800_000, 500, at)
		require.NoError(t, err)
		require.True(t, ok, "a retry finds the reservation")
		ok, err = st.ReserveOrWait(ctx, "second", "axe2.donnees", 600_000, 600, at.Add(time.Hour))
		require.NoError(t, err)
		require.False(t, ok, "200,000 left cannot cover 600,000")
		ok, err = st.ReserveOrWait(ctx, "small", "axe2.donnees", 100_000, 100, at.Add(2*time.Hour))
		require.NoError(t, err)
		require.False(t, ok, "a laureate never jumps the waiting list, even when it would fit")
		ok, err = st.ReserveOrWait(ctx, "top", "axe2.donnees", 700_000, 1000, at.Add(3*time.Hour))
		require.NoError(t, err)
		require.False(t, ok)

		promoted, err := st.PromoteWaiting(ctx, "axe2.donnees")
		require.NoError(t, err)
		require.Empty(t, promoted, "the best-ranked (700,000) does not fit in 200,000: nobody passes it")

		envelope, err := st.Release(ctx, "first")
		require.NoError(t, err)
		require.Equal(t, "axe2.donnees", envelope)
		_, err = st.Release(ctx, "first")
		require.NoError(t, err, "releasing twice is a no-op")
		promoted, err = st.PromoteWaiting(ctx, "axe2.donnees")
		require.NoError(t, err)
		require.Equal(t, []string{"top"}, promoted, "1,000,000 free: top (700,000) then second (600,000) does not fit")
		promoted, err = st.PromoteWaiting(ctx, "axe2.donnees")
		require.NoError(t, err)
		require.Empty(t, promoted)

		held, err := st.HasReservation(ctx, "top")
		require.NoError(t, err)
		require.True(t, held)
		require.NoError(t, st.Commit(ctx, "top"))
		require.NoError(t, st.Commit(ctx, "top"), "committing twice is a no-op")
		entry, err := st.Pay(ctx, "top", "VIR-TOP")
		require.NoError(t, err)
		require.EqualValues(t, 700_000, entry.AmountCents)
		_, err = st.Release(ctx, "top")
		require.Equal(t, models.EConflict, models.ErrorCode(err), "a paid grant cannot be released")

		e, err := st.Envelope(ctx, "axe2.donnees")
		require.NoError(t, err)
		require.EqualValues(t, 0, e.ReservedCents)
		require.EqualValues(t, 0, e.CommittedCents)
		require.EqualValues(t, 700_000, e.PaidCents)
		require.EqualValues(t, 300_000, available(t, e))
		require.Equal(t, models.EConflict, models.ErrorCode(st.Commit(ctx, "first")), "a released reservation cannot be committed")
	})
}

func TestInboxFiltersClaimsAndCalls(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		now := time.Now().UTC()
		call, err := st.CreateCall(ctx, models.Call{ID: "call-1", Strand: models.StrandDonnees, Round: 1, Title: "Données",
			OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), EnvelopeCode: "axe2.donnees",
			Jury: []models.JuryMember{{Subject: "chair"}, {Subject: "j2"}}, Chair: "chair", Quorum: 2, CreatedBy: "admin"})
		require.NoError(t, err)
		require.Len(t, call.Jury, 2)
		_, err = st.CreateCall(ctx, models.Call{ID: "call-2", Strand: models.StrandDonnees, Round: 1, Title: "x", OpensAt: now,
			ClosesAt: now.Add(time.Hour), EnvelopeCode: "axe2.donnees", Jury: []models.JuryMember{{Subject: "c"}}, Chair: "c", Quorum: 1})
		require.Equal(t, models.EConflict, models.ErrorCode(err))
		opened, err := st.OpenJury(ctx, "call-1")
		require.NoError(t, err)
		require.NotNil(t, opened.JuryOpenedAt)
		_, err = st.OpenJury(ctx, "call-1")
		require.Equal(t, models.EConflict, models.ErrorCode(err))

		for i, dept := range []string{"75", "35", "75"} {
			d := newDossier(t, st, fmt.Sprintf("d%d", i), "217500016", dept)
			due := now.Add(time.Duration(3-i) * 24 * time.Hour)
			require.NoError(t, st.CreateTask(ctx, models.Task{ID: d.ID + ".preselection.0", DossierID: d.ID, Type: models.TaskPreselection,
				Role: models.RoleInstructor, Scope: models.DepartementScope(dept), DueAt: &due}))
		}
		require.NoError(t, st.CreateTask(ctx, models.Task{ID: "d0.jury_decision.0", DossierID: "d0", Type: models.TaskJuryDecision,
			Role: models.RoleJury, Scope: models.JuryScope("call-1"), Assignee: "chair"}))
		national := models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"*"}}
		paris := models.Principal{Subject: "p", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"75"}}
		ids := func(p models.Principal, f TaskFilter) []string {
			f.Limit = 10
			tasks, err := st.Inbox(ctx, p, f)
			require.NoError(t, err)
			out := []string{}
			for _, t := range tasks {
				out = append(out, t.ID)
			}
			return out
		}
		require.Equal(t, []string{"d2.preselection.0", "d1.preselection.0", "d0.preselection.0"}, ids(national, TaskFilter{ByDue: true}), "most urgent first")
		require.Equal(t, []string{"d2.preselection.0", "d0.preselection.0"}, ids(paris, TaskFilter{}), "newest first, within the instructor's départements")
		require.Equal(t, []string{"d1.preselection.0"}, ids(national, TaskFilter{Departement: "35"}))
		require.Equal(t, []string{"d2.preselection.0"}, ids(national, TaskFilter{ByDue: true, DueBefore: ptr(now.Add(36 * time.Hour))}))
		dueBefore := TaskFilter{DueBefore: ptr(now.Add(60 * time.Hour))}
		require.Equal(t, []string{"d2.preselection.0", "d1.preselection.0"}, ids(national, dueBefore), "due before, newest first")
		newest, err := st.Task(ctx, "d2.preselection.0")
		require.NoError(t, err)
		dueBefore.After = &TaskCursor{Key: dueBefore.SortKey(newest), ID: newest.ID}
		require.Equal(t, []string{"d1.preselection.0"}, ids(national, dueBefore), "due before, newest first, next page")
		chair := models.Principal{Subject: "chair", Roles: []models.Role{models.RoleJury}}
		endOfTime := ptr(time.Date(9999, 12, 31, 12, 0, 0, 0, time.UTC))
		require.Empty(t, ids(chair, TaskFilter{DueBefore: endOfTime}), "a task without a due date is never due before a date")
		require.Empty(t, ids(chair, TaskFilter{DueBefore: endOfTime, ByDue: true}), "a task without a due date is never due before a date")
		require.Equal(t, []string{"d0.jury_decision.0"}, ids(models.Principal{Subject: "chair", Roles: []models.Role{models.RoleJury}}, TaskFilter{}))
		require.Empty(t, ids(models.Principal{Subject: "j2", Roles: []models.Role{models.RoleJury}}, TaskFilter{}), "a juror sees only its own votes")

		page := ids(national, TaskFilter{ByDue: true, Limit: 1})
		first, err := st.Task(ctx, page[0])
		require.NoError(t, err)
		f := TaskFilter{ByDue: true}
		f.After = &TaskCursor{Key: f.SortKey(first), ID: first.ID}
		require.Equal(t, []string{"d1.preselection.0", "d0.preselection.0"}, ids(national, f), "the cursor resumes after the last task")

		claimed, err := st.AssignTask(ctx, "d0.preselection.0", "p")
		require.NoError(t, err)
		require.Equal(t, models.TaskClaimed, claimed.Status)
		require.Equal(t, []string{"d0.preselection.0"}, ids(paris, TaskFilter{Assigned: "me"}))
		require.Equal(t, []string{"d2.preselection.0"}, ids(paris, TaskFilter{Assigned: "unassigned"}))
		require.Equal(t, []string{"d0.jury_decision.0"}, ids(models.Principal{Subject: "chair", Roles: []models.Role{models.RoleJury}}, TaskFilter{Assigned: "me"}),
			"a juror's personal task is assigned to it")
		released, err := st.ReleaseTask(ctx, "d0.preselection.0")
		require.NoError(t, err)
		require.Equal(t, models.TaskOpen, released.Status)
		require.Empty(t, released.Assignee)
		require.NoError(t, st.CloseTask(ctx, "d2.preselection.0", "i", "preselect", "", nil))
		_, err = st.AssignTask(ctx, "d2.preselection.0", "p")
		require.Equal(t, models.EConflict, models.ErrorCode(err), "a closed task cannot be claimed")

		require.NoError(t, st.MarkTaskAlert(ctx, "d1.preselection.0", true))
		require.Equal(t, []string{"d1.preselection.0"}, ids(national, TaskFilter{Overdue: true}))
		require.NoError(t, st.CancelTask(ctx, "d1.preselection.0"))
		require.Empty(t, ids(national, TaskFilter{Overdue: true}), "a cancelled task leaves the inbox")
	})
}

func ptr[T any](v T) *T { return &v }
