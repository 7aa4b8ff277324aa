package models_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

var campaignStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func days(n int) time.Time { return campaignStart.Add(time.Duration(n) * 24 * time.Hour) }

func schedule() models.Schedule {
	return models.Schedule{Collection: models.Window{OpensAt: days(0), ClosesAt: days(30)},
		Vote: models.Window{OpensAt: days(30), ClosesAt: days(45)}, Interest: models.Window{OpensAt: days(50), ClosesAt: days(60)},
		Build: models.Window{OpensAt: days(60), ClosesAt: days(400)}}
}

func TestCampaignPhaseAt(t *testing.T) {
	s := schedule()
	for _, tc := range []struct {
		at   time.Time
		want models.Phase
	}{
		{days(-1), models.PhaseScheduled},
		{days(0), models.PhaseCollection},
		{days(30).Add(-time.Second), models.PhaseCollection},
		{days(30), models.PhaseVote},
		{days(47), models.PhaseBetween},
		{days(50), models.PhaseInterest},
		{days(399), models.PhaseBuild},
		{days(400), models.PhaseClosed},
	} {
		require.Equal(t, tc.want, s.PhaseAt(tc.at), tc.at)
	}
	next, ok := s.NextChange(days(30))
	require.True(t, ok)
	require.Equal(t, days(45), next, "the vote's closing is next; its opening is not after itself")
	next, _ = s.NextChange(days(46))
	require.Equal(t, days(50), next)
	_, ok = s.NextChange(days(400))
	require.False(t, ok)
}

// TestVoteClosed checks the one rule of the vote's end, and the acts that wait for it:
// the committee's opinions and decision, and everyone's results.
func TestVoteClosed(t *testing.T) {
	c := validCampaign()
	chair := models.Principal{Subject: "anct.chair"}
	for _, tc := range []struct {
		at     time.Time
		closed bool
	}{
		{days(30), false},
		{days(45).Add(-time.Nanosecond), false},
		{days(45), true},
		{days(400), true},
	} {
		require.Equal(t, tc.closed, c.VoteClosed(tc.at), tc.at)
		require.Equal(t, tc.closed, c.Schedule.VoteClosed(tc.at), tc.at)
		require.Equal(t, tc.closed, c.DecisionOpen(chair, tc.at) == nil, tc.at)
		require.Equal(t, tc.closed, c.OpinionsOpen(chair, tc.at) == nil, tc.at)
		require.Equal(t, tc.closed, models.Principal{}.CanSeeResults(c, tc.at), tc.at)
	}
}

func validCampaign() models.Campaign {
	return models.Campaign{Title: "Campagne 2021", Schedule: schedule(), EnvelopeCode: "axe1.2021", BudgetCents: models.Euros(1_000_000),
		Committee: []models.CommitteeMember{{Subject: "anct.chair", ANCT: true}, {Subject: "region"}}, Chair: "anct.chair", Quorum: 2,
		BallotSize: 5, ReferentsPerService: 10, Categories: models.DefaultCategories}
}

func TestCampaignValidate(t *testing.T) {
	require.NoError(t, validCampaign().Validate())
	for name, tc := range map[string]struct {
		change func(*models.Campaign)
		field  string
	}{
		"blank title":            {func(c *models.Campaign) { c.Title = "  " }, "title"},
		"vote before collection": {func(c *models.Campaign) { c.Schedule.Vote.OpensAt = days(20) }, "schedule.vote.opens_at"},
		"closes before opening":  {func(c *models.Campaign) { c.Schedule.Build.ClosesAt = days(60) }, "schedule.build.closes_at"},
		"missing date":           {func(c *models.Campaign) { c.Schedule.Interest.OpensAt = time.Time{} }, "schedule.interest.opens_at"},
		"envelope outside axe1":  {func(c *models.Campaign) { c.EnvelopeCode = "axe2.x" }, "envelope_code"},
		"envelope axe1 itself":   {func(c *models.Campaign) { c.EnvelopeCode = "axe1." }, "envelope_code"},
		"nested envelope":        {func(c *models.Campaign) { c.EnvelopeCode = "axe1.a.b" }, "envelope_code"},
		"no budget":              {func(c *models.Campaign) { c.BudgetCents = 0 }, "budget_cents"},
		"negative budget":        {func(c *models.Campaign) { c.BudgetCents = -1 }, "budget_cents"},
		"no committee":           {func(c *models.Campaign) { c.Committee = nil; c.Quorum = 1 }, "committee"},
		"chair not ANCT":         {func(c *models.Campaign) { c.Chair = "region" }, "chair"},
		"chair not a member":     {func(c *models.Campaign) { c.Chair = "someone" }, "chair"},
		"quorum above committee": {func(c *models.Campaign) { c.Quorum = 3 }, "quorum"},
		"member twice":           {func(c *models.Campaign) { c.Committee[1].Subject = "anct.chair" }, "committee[1].subject"},
		"ballot of no choice":    {func(c *models.Campaign) { c.BallotSize = 0 }, "ballot_size"},
		"no référents":           {func(c *models.Campaign) { c.ReferentsPerService = 0 }, "referents_per_service"},
	} {
		t.Run(name, func(t *testing.T) {
			c := validCampaign()
			c.Committee = append([]models.CommitteeMember(nil), c.Committee...)
			tc.change(&c)
			err := c.Validate()
			require.Equal(t, models.EInvalid, models.ErrorCode(err))
			var e *models.Error
			require.ErrorAs(t, err, &e)
			require.Contains(t, e.Fields, tc.field, "%v", e.Fields)
		})
	}
}

func TestCampaignCheckMove(t *testing.T) {
	s := schedule()
	fieldsOf := func(err error) map[string]string {
		var e *models.Error
		require.ErrorAs(t, err, &e)
		return e.Fields
	}
	// Collection open: its closing date moves; its opening no longer does.
	later := s
	later.Collection.ClosesAt = days(29)
	require.NoError(t, s.CheckMove(later, days(10)))
	moved := s
	moved.Collection.OpensAt = days(1)
	require.Contains(t, fieldsOf(s.CheckMove(moved, days(10))), "collection.opens_at")
	past := s
	past.Collection.ClosesAt = days(5)
	require.Contains(t, fieldsOf(s.CheckMove(past, days(10))), "collection.closes_at")
	// A phase to come may not open in the past.
	early := s
	early.Interest.OpensAt = days(46)
	require.NoError(t, s.CheckMove(early, days(10)))
	require.Contains(t, fieldsOf(s.CheckMove(early, days(47))), "interest.opens_at")
	// Once closed, a phase keeps its dates.
	closed := s
	closed.Collection.ClosesAt = days(31)
	require.Contains(t, fieldsOf(s.CheckMove(closed, days(35))), "collection")
	// Extending an open phase past the next one's opening needs the next moved too.
	long := s
	long.Collection.ClosesAt = days(35)
	require.Contains(t, fieldsOf(s.CheckMove(long, days(10))), "vote.opens_at")
	long.Vote.OpensAt = days(35)
	require.NoError(t, s.CheckMove(long, days(10)))
	require.NoError(t, s.CheckMove(s, days(500)), "no change is always allowed")
}
