package filing_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestBallotsReadByWhoeverReadsTheResults: during the vote only ANCT lists the ballots, with
// the agents who cast them; once it has closed, anyone does, the agents left out.
func TestBallotsReadByWhoeverReadsTheResults(t *testing.T) {
	s := newService(t, newFake())
	ctx := context.Background()
	require.NoError(t, s.Store.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	require.NoError(t, s.Store.ImportRegistry(ctx, []models.Collectivite{{Type: models.TypeCommune, Code: "75056", Siren: paris.Siren,
		Name: "Paris", Departement: "75", Region: "11"}}, nil))
	c, svc := campaignWithService(t, s, "axe1.v")

	s.Now = func() time.Time { return c.Schedule.Vote.OpensAt }
	_, _, err := s.CastBallot(ctx, paris, c, models.BallotRequest{ServiceIDs: []string{svc.ID}})
	require.NoError(t, err)
	anct := models.Principal{Subject: "instr", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}
	ballots, err := s.Ballots(ctx, anct, c, "", 10)
	require.NoError(t, err)
	require.Len(t, ballots, 1)
	require.Equal(t, "Paris", ballots[0].Name)
	require.Equal(t, []models.ChosenService{{ID: svc.ID, Title: "Rendez-vous en mairie"}}, ballots[0].Services)
	require.Equal(t, paris.Subject, ballots[0].CastBy, "ANCT sees who cast it")
	_, err = s.Ballots(ctx, paris, c, "", 10)
	require.Equal(t, models.EForbidden, models.ErrorCode(err), "the ballots are ANCT's during the vote")
	instructor35 := models.Principal{Subject: "instr35", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}}
	_, err = s.Ballots(ctx, instructor35, c, "", 10)
	require.Equal(t, models.EForbidden, models.ErrorCode(err), "a département's instructor does not act for ANCT")

	s.Now = func() time.Time { return c.Schedule.Vote.ClosesAt }
	ballots, err = s.Ballots(ctx, instructor35, c, "", 10)
	require.NoError(t, err)
	require.Len(t, ballots, 1)
	require.Equal(t, "Paris", ballots[0].Name)
	require.Empty(t, ballots[0].CastBy, "the agent is named to ANCT alone")
	ballots, err = s.Ballots(ctx, anct, c, paris.Siren, 10)
	require.NoError(t, err)
	require.Empty(t, ballots, "the page after the last ballot")
}
