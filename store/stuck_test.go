package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestOverdueTasksPagesMostOverdueFirst(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		d1 := newDossier(t, st, "00000000-0000-0000-0000-000000000001", "217500016", "75")
		d2 := newDossier(t, st, "00000000-0000-0000-0000-000000000002", "217500016", "75")
		at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
		for _, tk := range []models.Task{
			{ID: "a", DossierID: d1.ID, DueAt: at(-time.Hour)},
			{ID: "b", DossierID: d2.ID, DueAt: at(-3 * time.Hour)},
			{ID: "c", DossierID: d2.ID, DueAt: at(-2 * time.Hour)},
			{ID: "d", DossierID: d1.ID, DueAt: at(time.Hour)}, // not due yet
			{ID: "e", DossierID: d1.ID},                       // no due date
			{ID: "f", DossierID: d1.ID, DueAt: at(-4 * time.Hour)},
		} {
			tk.Type, tk.Role, tk.Scope = models.TaskDisbursement, models.RoleFinance, models.ScopeNational
			require.NoError(t, st.CreateTask(ctx, tk))
		}
		require.NoError(t, st.CloseTask(ctx, "f", "finance", "paid", "", nil)) // done: not overdue
		_, err := st.AssignTask(ctx, "c", "marie")                             // claimed: still overdue
		require.NoError(t, err)

		first, err := st.OverdueTasks(ctx, now, nil, 2)
		require.NoError(t, err)
		require.Len(t, first, 2)
		require.Equal(t, []string{"b", "c"}, []string{first[0].Task.ID, first[1].Task.ID})
		require.Equal(t, d2.ID, first[0].Dossier.ID, "each task comes with its dossier")
		last := first[1].Task
		rest, err := st.OverdueTasks(ctx, now, &TaskCursor{Key: *last.DueAt, ID: last.ID}, 2)
		require.NoError(t, err)
		require.Len(t, rest, 1)
		require.Equal(t, "a", rest[0].Task.ID)
		require.Equal(t, d1.ID, rest[0].Dossier.ID)
	})
}

func TestDossiersInProcessLeavesOutDraftsAndClosedDossiers(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		ids := map[models.Status]string{}
		for i, status := range models.Statuses {
			id := "00000000-0000-0000-0000-0000000000" + string(rune('a'+i/10)) + string(rune('0'+i%10))
			newDossier(t, st, id, "217500016", "75")
			require.NoError(t, st.db.Model(&dossierRow{}).Where("id = ?", id).Update("status", string(status)).Error)
			ids[status] = id
		}
		var got []models.Status
		after := ""
		for {
			page, err := st.DossiersInProcess(ctx, after, 3)
			require.NoError(t, err)
			for _, d := range page {
				got = append(got, d.Status)
			}
			if len(page) < 3 {
				break
			}
			after = page[len(page)-1].ID
		}
		var want []models.Status
		for _, s := range models.Statuses {
			if models.InProcess(s) {
				want = append(want, s)
			}
		}
		require.Equal(t, want, got, "in ID order, which is the order of models.Statuses here")
		require.NotContains(t, got, models.StatusDraft)
		require.NotContains(t, got, models.StatusPaid)
	})
}

func TestExtendTaskClearsItsAlerts(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		d := newDossier(t, st, "00000000-0000-0000-0000-000000000001", "217500016", "75")
		due := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		require.NoError(t, st.CreateTask(ctx, models.Task{ID: "t", DossierID: d.ID, Type: models.TaskPreselection,
			Role: models.RoleInstructor, Scope: models.ScopeNational, DueAt: &due}))
		require.NoError(t, st.MarkTaskAlert(ctx, "t", false))
		require.NoError(t, st.MarkTaskAlert(ctx, "t", true))
		later := due.Add(48 * time.Hour)
		tk, err := st.ExtendTask(ctx, "t", later)
		require.NoError(t, err)
		require.True(t, later.Equal(*tk.DueAt))
		require.Nil(t, tk.RemindedAt)
		require.Nil(t, tk.EscalatedAt)
		overdue, err := st.OverdueTasks(ctx, time.Now(), nil, 10)
		require.NoError(t, err)
		require.Empty(t, overdue, "no longer overdue")

		require.NoError(t, st.CancelTask(ctx, "t"))
		_, err = st.ExtendTask(ctx, "t", later.Add(time.Hour))
		require.Equal(t, models.EConflict, models.ErrorCode(err), "a closed task keeps its due date")
		_, err = st.ExtendTask(ctx, "missing", later)
		require.Equal(t, models.ENotFound, models.ErrorCode(err))
	})
}
