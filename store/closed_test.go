package store

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestClosedByPagesLatestFirst(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		id := uuid.NewString()
		_, _, err := st.CreateDossier(ctx, models.Dossier{ID: id, Kind: models.KindAAP, Status: models.StatusPreselection,
			ApplicantSiren: "217500016", Departement: "75", EnvelopeCode: models.EnvelopeGuichet, Payload: []byte(`{}`), CreatedBy: "a"},
			IdempotencyKey{}, nil)
		require.NoError(t, err)
		var ids []string
		for i := 1; i <= 5; i++ {
			tid := models.TaskID(id, models.TaskInformation, i)
			require.NoError(t, st.CreateTask(ctx, models.Task{ID: tid, DossierID: id, Type: models.TaskInformation,
				Role: models.RoleInstructor, Scope: models.DepartementScope("75")}))
			require.NoError(t, st.CloseTask(ctx, tid, "agent", "done", "", nil))
			ids = append(ids, tid)
		}
		// Someone else's is not in the agent's list.
		other := models.TaskID(id, models.TaskInformation, 6)
		require.NoError(t, st.CreateTask(ctx, models.Task{ID: other, DossierID: id, Type: models.TaskInformation,
			Role: models.RoleInstructor, Scope: models.DepartementScope("75")}))
		require.NoError(t, st.CloseTask(ctx, other, "someone", "done", "", nil))

		var got []string
		var after *TaskCursor
		for range 3 {
			page, err := st.ClosedBy(ctx, "agent", after, 2)
			require.NoError(t, err)
			for _, tk := range page {
				got = append(got, tk.ID)
			}
			if len(page) < 2 {
				break
			}
			last := page[len(page)-1]
			after = &TaskCursor{Key: *last.ClosedAt, ID: last.ID}
		}
		slices.Reverse(ids) // closed in order, their IDs in order: the last closed first
		require.Equal(t, ids, got, "every task once across pages, the latest first")
	})
}
