package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// campaignBody is a campaign whose phases follow each other from start, each lasting the
// given durations.
func campaignBody(envelope string, start time.Time, phases ...time.Duration) map[string]any {
	sch := models.Schedule{}
	at := start
	windows := []*models.Window{&sch.Collection, &sch.Vote, &sch.Interest, &sch.Build}
	for i, w := range windows {
		*w = models.Window{OpensAt: at, ClosesAt: at.Add(phases[i])}
		at = at.Add(phases[i])
	}
	return map[string]any{"title": "Campagne " + envelope, "schedule": sch, "envelope_code": envelope, "budget_cents": models.Euros(5_000_000),
		"committee": []models.CommitteeMember{{Subject: "anct.chair", Name: "Présidente", ANCT: true}, {Subject: "dinum"}, {Subject: "region"}},
		"chair":     "anct.chair", "quorum": 2}
}

// waitPhase polls a campaign until its process has recorded phase, or fails after 15 s.
func (s *stack) waitPhase(t *testing.T, token, id string, phase models.Phase) models.Campaign {
	t.Helper()
	var c models.Campaign
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		r := s.call(t, http.MethodGet, "/api/v1/campaigns/"+id, token, nil)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		r.decode(t, &c)
		if c.Phase == phase {
			return c
		}
	}
	t.Fatalf("campaign %s stayed %s, wanted %s", id, c.Phase, phase)
	return c
}

// TestCampaignPhasesEndToEnd runs a campaign on the real stack: its timers open and close
// each phase, its dates move while a phase is open, and a move of a closed phase is refused.
func TestCampaignPhasesEndToEnd(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin := s.token(t, administrator)
	paris := s.token(t, applicantOf(sirenParis))

	start := time.Now().Add(3 * time.Second).UTC().Truncate(time.Millisecond)
	r := s.call(t, http.MethodPost, "/api/v1/campaigns", admin, campaignBody("axe1.e2e", start, 3*time.Second, 2*time.Second, time.Second, time.Second))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var c models.Campaign
	r.decode(t, &c)
	require.Equal(t, models.PhaseScheduled, c.Phase)
	require.Equal(t, models.DefaultBallotSize, c.BallotSize)
	require.Equal(t, models.DefaultReferentsPerService, c.ReferentsPerService)

	var envs struct {
		Items []models.Envelope `json:"items"`
	}
	s.call(t, http.MethodGet, "/api/v1/envelopes", admin, nil).decode(t, &envs)
	found := false
	for _, e := range envs.Items {
		if e.Code == "axe1.e2e" {
			found = true
			require.Equal(t, models.EnvelopeAxe1, e.ParentCode)
			require.Equal(t, models.Euros(5_000_000), e.AllocatedCents)
		}
	}
	require.True(t, found, "the campaign's budget is a sub-envelope of axe1")

	// Before it opens, the vote is lengthened by a second, and the phases after it follow.
	moved := c.Schedule
	moved.Vote.ClosesAt = moved.Vote.ClosesAt.Add(time.Second)
	moved.Interest.OpensAt, moved.Interest.ClosesAt = moved.Interest.OpensAt.Add(time.Second), moved.Interest.ClosesAt.Add(time.Second)
	moved.Build.OpensAt, moved.Build.ClosesAt = moved.Build.OpensAt.Add(time.Second), moved.Build.ClosesAt.Add(time.Second)
	r = s.call(t, http.MethodPut, "/api/v1/campaigns/"+c.ID+"/schedule", admin, moved)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r.decode(t, &c)
	require.True(t, c.Schedule.Build.ClosesAt.Equal(moved.Build.ClosesAt))

	s.waitPhase(t, paris, c.ID, models.PhaseCollection)
	// Open, the collection keeps its opening date.
	reopened := moved
	reopened.Collection.OpensAt = reopened.Collection.OpensAt.Add(-time.Hour)
	r = s.call(t, http.MethodPut, "/api/v1/campaigns/"+c.ID+"/schedule", admin, reopened)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, string(r.Body))
	_, fields := r.errorCode(t)
	require.Contains(t, fields, "collection.opens_at")

	s.waitPhase(t, paris, c.ID, models.PhaseVote)
	// Closed, the collection keeps its dates.
	late := moved
	late.Collection.ClosesAt = late.Collection.ClosesAt.Add(500 * time.Millisecond)
	r = s.call(t, http.MethodPut, "/api/v1/campaigns/"+c.ID+"/schedule", admin, late)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, string(r.Body))
	_, fields = r.errorCode(t)
	require.Contains(t, fields, "collection")

	s.waitPhase(t, paris, c.ID, models.PhaseInterest)
	s.waitPhase(t, paris, c.ID, models.PhaseBuild)
	c = s.waitPhase(t, paris, c.ID, models.PhaseClosed)
	require.False(t, time.Now().Before(moved.Build.ClosesAt), "the build phase closed at its moved date, not before")
	run := s.Temporal.GetWorkflow(context.Background(), models.CampaignWorkflowID(c.ID), "")
	require.NoError(t, run.Get(context.Background(), nil))
	r = s.call(t, http.MethodPut, "/api/v1/campaigns/"+c.ID+"/schedule", admin, moved)
	require.Equal(t, http.StatusConflict, r.Status, string(r.Body))

	desc, err := s.Temporal.DescribeWorkflow(context.Background(), models.CampaignWorkflowID(c.ID), "")
	require.NoError(t, err)
	summary, err := desc.GetStaticSummary()
	require.NoError(t, err)
	require.Equal(t, "Axe 1 campaign — Campagne axe1.e2e", summary)
	kind, _ := desc.TypedSearchAttributes.GetKeyword(workflows.SearchKind)
	phase, _ := desc.TypedSearchAttributes.GetKeyword(workflows.SearchStatus)
	require.Equal(t, []string{workflows.KindCampaign, string(models.PhaseClosed)}, []string{kind, phase}, "the phase shows in the Temporal UI")
	recordWorkflowHistory(t, s, models.CampaignWorkflowID(c.ID), "campaign_moved_closed.json")
}

// TestCampaignEndpointsBadInput checks the campaign endpoints' answers to a missing token,
// a wrong role, malformed JSON, each invalid field and a budget axe1 cannot give.
func TestCampaignEndpointsBadInput(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin, paris := s.token(t, administrator), s.token(t, applicantOf(sirenParis))
	instr, finance := s.token(t, instructor), s.token(t, financeOfficer)
	start := time.Now().Add(time.Hour).UTC()
	week := 7 * 24 * time.Hour
	body := func(mut func(m map[string]any)) map[string]any {
		m := campaignBody("axe1.bad", start, week, week, week, week)
		mut(m)
		return m
	}
	r := s.call(t, http.MethodPost, "/api/v1/campaigns", admin, campaignBody("axe1.first", start, week, week, week, week))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var c models.Campaign
	r.decode(t, &c)
	path := "/api/v1/campaigns/" + c.ID
	outOfOrder := c.Schedule
	outOfOrder.Vote.OpensAt = outOfOrder.Collection.OpensAt
	past := c.Schedule
	past.Collection.OpensAt = time.Now().Add(-time.Hour)

	s.expectAll(t, []badRequest{
		{"list without a token", http.MethodGet, "/api/v1/campaigns", "", nil, http.StatusUnauthorized, models.EUnauthorized, ""},
		{"list as an applicant", http.MethodGet, "/api/v1/campaigns", paris, nil, http.StatusOK, "", ""},
		{"get as finance", http.MethodGet, path, finance, nil, http.StatusOK, "", ""},
		{"get an unknown campaign", http.MethodGet, "/api/v1/campaigns/0190f3b4-0000-7000-8000-000000000000", admin, nil, http.StatusNotFound, models.ENotFound, ""},
		{"get a campaign that is not a UUID", http.MethodGet, "/api/v1/campaigns/x", admin, nil, http.StatusNotFound, models.ENotFound, ""},
		{"create without a token", http.MethodPost, "/api/v1/campaigns", "", body(func(map[string]any) {}), http.StatusUnauthorized, models.EUnauthorized, ""},
		{"create as an applicant", http.MethodPost, "/api/v1/campaigns", paris, body(func(map[string]any) {}), http.StatusForbidden, models.EForbidden, ""},
		{"create as an instructor", http.MethodPost, "/api/v1/campaigns", instr, body(func(map[string]any) {}), http.StatusForbidden, models.EForbidden, ""},
		{"create from malformed JSON", http.MethodPost, "/api/v1/campaigns", admin, []byte(`{"title":`), http.StatusBadRequest, models.EMalformed, ""},
		{"create with an unknown field", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["colour"] = "red" }), http.StatusBadRequest, models.EMalformed, ""},
		{"create without a title", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["title"] = " " }), http.StatusUnprocessableEntity, models.EInvalid, "title"},
		{"create with phases out of order", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["schedule"] = outOfOrder }), http.StatusUnprocessableEntity, models.EInvalid, "schedule.vote.opens_at"},
		{"create opening in the past", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["schedule"] = past }), http.StatusUnprocessableEntity, models.EInvalid, "schedule.collection.opens_at"},
		{"create without a schedule", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { delete(m, "schedule") }), http.StatusUnprocessableEntity, models.EInvalid, "schedule.collection.opens_at"},
		{"create on an envelope outside axe1", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["envelope_code"] = "axe2.donnees" }), http.StatusUnprocessableEntity, models.EInvalid, "envelope_code"},
		{"create on a taken envelope", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["envelope_code"] = "axe1.first" }), http.StatusUnprocessableEntity, models.EInvalid, "envelope_code"},
		{"create without a budget", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["budget_cents"] = 0 }), http.StatusUnprocessableEntity, models.EInvalid, "budget_cents"},
		{"create beyond axe1", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["budget_cents"] = models.Euros(25_000_001) }), http.StatusConflict, models.EConflict, ""},
		{"create chaired by a non-ANCT member", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["chair"] = "dinum" }), http.StatusUnprocessableEntity, models.EInvalid, "chair"},
		{"create with an unreachable quorum", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["quorum"] = 4 }), http.StatusUnprocessableEntity, models.EInvalid, "quorum"},
		{"create with an empty committee", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["committee"] = []any{} }), http.StatusUnprocessableEntity, models.EInvalid, "committee"},
		{"create with ballots of no choice", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["ballot_size"] = 0 }), http.StatusUnprocessableEntity, models.EInvalid, "ballot_size"},
		{"create with no référent", http.MethodPost, "/api/v1/campaigns", admin, body(func(m map[string]any) { m["referents_per_service"] = 0 }), http.StatusUnprocessableEntity, models.EInvalid, "referents_per_service"},
		{"move without a token", http.MethodPut, path + "/schedule", "", c.Schedule, http.StatusUnauthorized, models.EUnauthorized, ""},
		{"move as an instructor", http.MethodPut, path + "/schedule", instr, c.Schedule, http.StatusForbidden, models.EForbidden, ""},
		{"move from malformed JSON", http.MethodPut, path + "/schedule", admin, []byte(`[`), http.StatusBadRequest, models.EMalformed, ""},
		{"move without a vote window", http.MethodPut, path + "/schedule", admin, map[string]any{"collection": c.Schedule.Collection}, http.StatusUnprocessableEntity, models.EInvalid, "vote.opens_at"},
		{"move out of order", http.MethodPut, path + "/schedule", admin, outOfOrder, http.StatusUnprocessableEntity, models.EInvalid, "vote.opens_at"},
		{"move into the past", http.MethodPut, path + "/schedule", admin, past, http.StatusUnprocessableEntity, models.EInvalid, "collection.opens_at"},
		{"move an unknown campaign", http.MethodPut, "/api/v1/campaigns/0190f3b4-0000-7000-8000-000000000000/schedule", admin, c.Schedule, http.StatusNotFound, models.ENotFound, ""},
		{"move to the same dates", http.MethodPut, path + "/schedule", admin, c.Schedule, http.StatusOK, "", ""},
	})
}

// waitInboxTask waits up to 15 s for an open task of type typ in token's inbox, and returns it.
func waitInboxTask(t *testing.T, s *stack, token string, typ models.TaskType) models.Task {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var inbox struct{ Items []models.Task }
		r := s.call(t, http.MethodGet, "/api/v1/tasks?type="+string(typ), token, nil)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		r.decode(t, &inbox)
		if len(inbox.Items) > 0 {
			return inbox.Items[0]
		}
	}
	t.Fatalf("no open %s task in the inbox after 15 s", typ)
	return models.Task{}
}

// taskOf reads a task as token sees it.
func taskOf(t *testing.T, s *stack, token, id string) models.Task {
	t.Helper()
	var task models.Task
	r := s.call(t, http.MethodGet, "/api/v1/tasks/"+id, token, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r.decode(t, &task)
	return task
}
