package store

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestPeople(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		yes, no := true, false
		_, found, err := st.Person(ctx, "agent-1")
		require.NoError(t, err)
		require.False(t, found)

		anne := models.Person{Subject: "agent-1", Name: "Anne Agent", Roles: []models.Role{models.RoleInstructor, models.RoleJury},
			Departements: []string{"35"}, Regions: []string{"53"}, Active: &yes}
		require.NoError(t, st.SavePerson(ctx, anne, "admin-1"))
		got, found, err := st.Person(ctx, "agent-1")
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, anne, got)

		// Saving again replaces the entry.
		anne.Active, anne.Regions = &no, nil
		require.NoError(t, st.SavePerson(ctx, anne, "admin-1"))
		got, _, err = st.Person(ctx, "agent-1")
		require.NoError(t, err)
		require.False(t, got.IsActive())
		require.Empty(t, got.Regions)

		bad := anne
		bad.Roles = []models.Role{"boss"}
		require.Equal(t, models.EInvalid, models.ErrorCode(st.SavePerson(ctx, bad, "admin-1")))

		col := models.Person{Subject: "agent-0", Name: "Commune", Roles: []models.Role{models.RoleApplicant}, Siren: "200054781", Active: &yes}
		require.NoError(t, st.SavePerson(ctx, col, "admin-1"))
		page, err := st.People(ctx, "", 1)
		require.NoError(t, err)
		require.Len(t, page, 1)
		require.Equal(t, "agent-0", page[0].Subject)
		page, err = st.People(ctx, "agent-0", 10)
		require.NoError(t, err)
		require.Len(t, page, 1)
		require.Equal(t, "agent-1", page[0].Subject)

		require.NoError(t, st.DeletePerson(ctx, "agent-1", "admin-2"))
		require.Equal(t, models.ENotFound, models.ErrorCode(st.DeletePerson(ctx, "agent-1", "admin-2")))
		_, found, err = st.Person(ctx, "agent-1")
		require.NoError(t, err)
		require.False(t, found)

		// Each change is in the entry's trail: who, what, the entry before and after. A
		// refused save and the removal of what is not there write nothing.
		trail, err := st.PersonTrail(ctx, "agent-1")
		require.NoError(t, err)
		require.Len(t, trail, 3)
		type change struct{ Before, After *models.Person }
		var changes [3]change
		for i, e := range trail {
			require.NoError(t, json.Unmarshal([]byte(e.Detail), &changes[i]), e.Detail)
			require.Equal(t, models.PersonTrailID("agent-1"), e.DossierID)
		}
		require.Equal(t, []string{models.AuditPersonAdded, models.AuditPersonChanged, models.AuditPersonRemoved},
			[]string{trail[0].Action, trail[1].Action, trail[2].Action})
		require.Equal(t, []string{"admin-1", "admin-1", "admin-2"}, []string{trail[0].Actor, trail[1].Actor, trail[2].Actor})
		require.Nil(t, changes[0].Before)
		require.Equal(t, []string{"53"}, changes[0].After.Regions)
		require.True(t, changes[1].Before.IsActive())
		require.False(t, changes[1].After.IsActive())
		require.Equal(t, []models.Role{models.RoleInstructor, models.RoleJury}, changes[2].Before.Roles)
		require.Nil(t, changes[2].After)
		other, err := st.PersonTrail(ctx, "agent-0")
		require.NoError(t, err)
		require.Len(t, other, 1)
	})
}
