package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func testCampaign(id, envelope string, budget models.Cents, start time.Time) models.Campaign {
	w := func(from, to int) models.Window {
		return models.Window{OpensAt: start.Add(time.Duration(from) * 24 * time.Hour), ClosesAt: start.Add(time.Duration(to) * 24 * time.Hour)}
	}
	return models.Campaign{ID: id, Title: "Campagne " + id, EnvelopeCode: envelope, BudgetCents: budget,
		Schedule:  models.Schedule{Collection: w(0, 30), Vote: w(30, 45), Interest: w(45, 60), Build: w(60, 400)},
		Committee: []models.CommitteeMember{{Subject: "chair", ANCT: true}}, Chair: "chair", Quorum: 1, BallotSize: 5,
		ReferentsPerService: 10, Categories: []string{"a", "b"}, CreatedBy: "admin"}
}

func TestCampaignsAreSubEnvelopesOfAxe1(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		start := time.Now().UTC().Add(time.Hour).Truncate(time.Second)

		c, err := st.CreateCampaign(ctx, testCampaign("c1", "axe1.2021", models.Euros(20_000_000), start))
		require.NoError(t, err)
		require.Equal(t, models.PhaseScheduled, c.Phase)
		require.Equal(t, models.Euros(20_000_000), c.BudgetCents)
		require.True(t, c.Schedule.Vote.OpensAt.Equal(start.Add(30*24*time.Hour)))
		require.Equal(t, []models.CommitteeMember{{Subject: "chair", ANCT: true}}, c.Committee)
		require.Equal(t, []string{"a", "b"}, c.Categories)
		env, err := st.Envelope(ctx, "axe1.2021")
		require.NoError(t, err)
		require.Equal(t, models.EnvelopeAxe1, env.ParentCode)

		// A second campaign may follow, within what axe1 has left (30 M€ - 20 M€).
		_, err = st.CreateCampaign(ctx, testCampaign("c2", "axe1.2022", models.Euros(10_000_001), start))
		require.Equal(t, models.EConflict, models.ErrorCode(err), "%v", err)
		_, err = st.CreateCampaign(ctx, testCampaign("c2", "axe1.2021", models.Euros(1), start))
		require.Equal(t, models.EInvalid, models.ErrorCode(err), "an envelope code is taken once")
		_, err = st.CreateCampaign(ctx, testCampaign("c2", "axe1.2022", models.Euros(10_000_000), start))
		require.NoError(t, err)
		_, err = st.Campaign(ctx, "c2")
		require.NoError(t, err)

		all, err := st.Campaigns(ctx)
		require.NoError(t, err)
		require.Len(t, all, 2)
		require.Equal(t, models.Euros(10_000_000), all[1].BudgetCents+all[0].BudgetCents-models.Euros(20_000_000))

		_, err = st.Campaign(ctx, "nope")
		require.Equal(t, models.ENotFound, models.ErrorCode(err))
	})
}

func TestCampaignScheduleAndPhase(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		start := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
		c, err := st.CreateCampaign(ctx, testCampaign("c1", "axe1.2021", models.Euros(1_000_000), start))
		require.NoError(t, err)

		unstarted, err := st.UnstartedCampaigns(ctx, time.Now().Add(time.Minute), 10)
		require.NoError(t, err)
		require.Len(t, unstarted, 1)
		require.NoError(t, st.MarkCampaignStarted(ctx, c.ID))
		unstarted, err = st.UnstartedCampaigns(ctx, time.Now().Add(time.Minute), 10)
		require.NoError(t, err)
		require.Empty(t, unstarted)

		moved := c.Schedule
		moved.Collection.ClosesAt = moved.Collection.ClosesAt.Add(-24 * time.Hour)
		ev := models.AuditEvent{DossierID: c.ID, Actor: "admin", Action: models.AuditCampaignMoved, Detail: "collection"}
		require.NoError(t, st.SetCampaignSchedule(ctx, c.ID, moved, c.ID+"/moved/1", ev))
		require.NoError(t, st.SetCampaignSchedule(ctx, c.ID, moved, c.ID+"/moved/1", ev), "a retried write is harmless")
		require.NoError(t, st.SetCampaignPhase(ctx, c.ID, models.PhaseCollection, c.ID+"/phase/collection",
			models.AuditEvent{DossierID: c.ID, Actor: "system", Action: models.AuditCampaignPhase, Detail: "collection"}))
		got, err := st.Campaign(ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, models.PhaseCollection, got.Phase)
		require.True(t, got.Schedule.Collection.ClosesAt.Equal(moved.Collection.ClosesAt))
		trail, err := st.AuditTrail(ctx, c.ID)
		require.NoError(t, err)
		require.Len(t, trail, 2)

		require.Equal(t, models.ENotFound, models.ErrorCode(st.SetCampaignPhase(ctx, "nope", models.PhaseVote, "x", ev)))
	})
}
