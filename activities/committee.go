package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"go.temporal.io/api/serviceerror"
	"golang.org/x/sync/errgroup"

	"github.com/relance/relance/models"
)

// Committee is what a campaign's committee works on: the campaign (its members, chair and
// quorum), its candidate services in the order of the vote's results, and what its
// envelope has left for their budgets.
type Committee struct {
	Campaign       models.Campaign
	Services       []models.CandidateService
	AvailableCents models.Cents
}

// CampaignCommittee reads what the committee works on, once the vote has closed.
func (a *Activities) CampaignCommittee(ctx context.Context, campaignID string) (Committee, error) {
	c, err := a.Store.Campaign(ctx, campaignID)
	if err != nil {
		return Committee{}, classify(err)
	}
	results, err := a.Store.Results(ctx, campaignID)
	if err != nil {
		return Committee{}, err
	}
	services, err := a.Store.Services(ctx, campaignID)
	if err != nil {
		return Committee{}, err
	}
	env, err := a.Store.Envelope(ctx, c.EnvelopeCode)
	if err != nil {
		return Committee{}, classify(err)
	}
	available, err := env.AvailableCents()
	if err != nil {
		return Committee{}, classify(err)
	}
	out := Committee{Campaign: c, AvailableCents: available}
	for _, r := range results {
		if i := slices.IndexFunc(services, func(s models.CandidateService) bool { return s.ID == r.ServiceID }); i >= 0 {
			// What the checks need, no more: the campaign's workflow carries it across
			// continue-as-new, for up to a thousand services.
			s := services[i]
			out.Services = append(out.Services, models.CandidateService{ID: s.ID, CampaignID: s.CampaignID, Title: s.Title, Status: s.Status})
		}
	}
	return out, nil
}

// OpinionsInput is a committee member's opinions, from its completed task.
type OpinionsInput struct {
	CampaignID string
	Member     string
	Opinions   []models.ServiceOpinion
}

// RecordCommitteeOpinions records a member's opinions (replacing any it gave: a retry
// writes the same).
func (a *Activities) RecordCommitteeOpinions(ctx context.Context, in OpinionsInput) error {
	return classify(a.Store.RecordOpinions(ctx, in.CampaignID, in.Member, in.Opinions))
}

// DecisionInput is the chair's decision, from its completed task.
type DecisionInput struct {
	CampaignID string
	Decision   models.CommitteeDecision
	Actor      string
}

// RecordCommitteeDecision records the decision at once: every service's status and the
// selected services' budgets reserved on the campaign's envelope, or nothing (a conflict
// when the budgets exceed what it has left). A retry after it was recorded changes nothing.
func (a *Activities) RecordCommitteeDecision(ctx context.Context, in DecisionInput) error {
	c, err := a.Store.Campaign(ctx, in.CampaignID)
	if err != nil {
		return classify(err)
	}
	services, err := a.Store.Services(ctx, in.CampaignID)
	if err != nil {
		return err
	}
	recorded := !slices.ContainsFunc(in.Decision.Services, func(sd models.ServiceDecision) bool {
		i := slices.IndexFunc(services, func(s models.CandidateService) bool { return s.ID == sd.ServiceID })
		return i < 0 || services[i].Status == models.ServiceCandidate
	})
	if recorded {
		return nil
	}
	return classify(a.Store.RecordDecision(ctx, c, in.Decision, in.Actor))
}

// ServiceSignal is a signal to one candidate service's workflow.
type ServiceSignal struct {
	ServiceID string
	Arg       any
}

// CampaignPhaseSignal tells the services of a campaign that have not closed the phase it entered.
type CampaignPhaseSignal struct {
	CampaignID string
	Signal     string
	Phase      models.Phase
}

// SignalCampaignServices signals the phase a campaign entered to each of its candidate
// services still in play (in the vote, or selected): one activity for all of them, so the
// campaign's history holds one marker per transition, however many services it has.
func (a *Activities) SignalCampaignServices(ctx context.Context, in CampaignPhaseSignal) (int, error) {
	services, err := a.Store.Services(ctx, in.CampaignID)
	if err != nil {
		return 0, err
	}
	var signals []ServiceSignal
	for _, s := range services {
		if s.Status == models.ServiceCandidate || s.Status == models.ServiceSelected {
			signals = append(signals, ServiceSignal{ServiceID: s.ID, Arg: in.Phase})
		}
	}
	return a.SignalServices(ctx, in.Signal, signals)
}

// SignalServices sends each signal to its service's workflow, a few at once, and returns
// how many were delivered. A service without a workflow (not started yet, or closed) is
// skipped: a service reads its state from the database when it starts. Any other failure
// fails the activity, which is retried; a service signalled twice sees the same news twice.
func (a *Activities) SignalServices(ctx context.Context, signal string, signals []ServiceSignal) (int, error) {
	var sent atomic.Int64
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, s := range signals {
		g.Go(func() error {
			err := a.Temporal.SignalWorkflow(ctx, models.ServiceWorkflowID(s.ServiceID), "", signal, s.Arg)
			var notFound *serviceerror.NotFound
			switch {
			case errors.As(err, &notFound):
				return nil
			case err != nil:
				return fmt.Errorf("signal %s to service %s: %w", signal, s.ServiceID, err)
			}
			sent.Add(1)
			return nil
		})
	}
	err := g.Wait()
	return int(sent.Load()), err
}
