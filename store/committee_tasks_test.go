package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestCommitteeTasksInTheInbox checks that a campaign's committee task, which has no
// dossier, is stored and appears in its member's inbox (merged in order with the tasks of
// the member's roles, across pages) and in nobody else's.
func TestCommitteeTasksInTheInbox(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		newDossier(t, st, "d1", "217500016", "75")
		now := time.Now().UTC()
		st.now = func() time.Time { return now }
		require.NoError(t, st.CreateTask(ctx, models.Task{ID: "d1.disbursement.0", DossierID: "d1", Type: models.TaskDisbursement,
			Role: models.RoleFinance, Scope: models.ScopeNational}))
		now = now.Add(time.Minute)
		mine := models.CommitteeTask("camp1", models.TaskCommitteeOpinions, "fin.1", 0)
		require.NoError(t, st.CreateTask(ctx, mine))
		require.NoError(t, st.CreateTask(ctx, mine), "creating it again changes nothing")
		now = now.Add(time.Minute)
		require.NoError(t, st.CreateTask(ctx, models.Task{ID: "d1.disbursement.1", DossierID: "d1", Type: models.TaskDisbursement,
			Role: models.RoleFinance, Scope: models.ScopeNational}))
		require.NoError(t, st.CreateTask(ctx, models.CommitteeTask("camp1", models.TaskCommitteeOpinions, "other", 1)))

		ids := func(ts []models.Task) []string {
			out := []string{}
			for _, t := range ts {
				out = append(out, t.ID)
			}
			return out
		}
		member := models.Principal{Subject: "fin.1", Roles: []models.Role{models.RoleFinance}}
		page, err := st.Inbox(ctx, member, TaskFilter{Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{"d1.disbursement.1", "camp1.committee_opinions.0", "d1.disbursement.0"}, ids(page), "the newest first")
		page, err = st.Inbox(ctx, member, TaskFilter{Limit: 2})
		require.NoError(t, err)
		require.Equal(t, []string{"d1.disbursement.1", "camp1.committee_opinions.0"}, ids(page))
		last := page[1]
		page, err = st.Inbox(ctx, member, TaskFilter{Limit: 2, After: &TaskCursor{Key: last.CreatedAt, ID: last.ID}})
		require.NoError(t, err)
		require.Equal(t, []string{"d1.disbursement.0"}, ids(page), "the next page")
		page, err = st.Inbox(ctx, member, TaskFilter{Limit: 10, DossierKind: string(models.KindGuichet)})
		require.NoError(t, err)
		require.Equal(t, []string{"d1.disbursement.1", "d1.disbursement.0"}, ids(page), "a campaign's task has no dossier kind")

		page, err = st.Inbox(ctx, models.Principal{Subject: "other"}, TaskFilter{Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{"camp1.committee_opinions.1"}, ids(page), "a member without roles sees its own task")
		page, err = st.Inbox(ctx, models.Principal{Subject: "x", Roles: []models.Role{models.RoleAdmin}}, TaskFilter{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, page, "nobody else acts on a member's task")

		require.NoError(t, st.CloseTask(ctx, mine.ID, "fin.1", models.OutcomeOpinions, "", nil))
		page, err = st.Inbox(ctx, member, TaskFilter{Limit: 10, ByDue: true})
		require.NoError(t, err)
		require.Equal(t, []string{"d1.disbursement.0", "d1.disbursement.1"}, ids(page))
	})
}
