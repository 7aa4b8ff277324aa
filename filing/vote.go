package filing

import (
	"context"
	"io"
	"slices"
	"time"

	"github.com/relance/relance/models"
)

// The collectivités' say in a campaign: the priority policies that weigh their ballots,
// their ballots and the vote's results, then their wish to pilot a selected service, of
// which ANCT makes some territoires référents.

// ImportPriorityPolicies imports an administrator's CSV of priority policies' members, and
// says how many members each policy it names now has.
func (s *Service) ImportPriorityPolicies(ctx context.Context, p models.Principal, csv io.Reader) (map[models.PriorityPolicy]int, error) {
	if err := p.NeedRole(models.RoleAdmin); err != nil {
		return nil, err
	}
	ms, err := models.ParsePriorityCSV(csv)
	if err != nil {
		return nil, err
	}
	return s.Store.ReplacePriorityMemberships(ctx, ms)
}

// CastBallot records the ballot of the collectivité p acts for, replacing its earlier one,
// while the vote is open; replaced says whether one was.
func (s *Service) CastBallot(ctx context.Context, p models.Principal, campaign models.Campaign, req models.BallotRequest) (models.Ballot, bool, error) {
	if err := p.NeedRole(models.RoleApplicant); err != nil {
		return models.Ballot{}, false, err
	}
	if err := campaign.VoteOpen(s.now()); err != nil {
		return models.Ballot{}, false, err
	}
	if _, err := s.Store.CollectiviteBySiren(ctx, p.Siren); models.ErrorCode(err) == models.ENotFound {
		return models.Ballot{}, false, models.Errorf(models.EForbidden, "SIREN %s is not a collectivité of the registry: only collectivités vote", p.Siren)
	} else if err != nil {
		return models.Ballot{}, false, err
	}
	services, err := s.Store.Services(ctx, campaign.ID)
	if err != nil {
		return models.Ballot{}, false, err
	}
	if err := campaign.CheckBallot(req, services); err != nil {
		return models.Ballot{}, false, err
	}
	replaced, err := s.Store.CastBallot(ctx, models.Ballot{CampaignID: campaign.ID, Siren: p.Siren, ServiceIDs: req.ServiceIDs, CastBy: p.Subject})
	if err != nil {
		return models.Ballot{}, false, err
	}
	b, err := s.Store.Ballot(ctx, campaign.ID, p.Siren)
	return b, replaced, err
}

// Results is the vote's count per candidate service, to those p may see it (ANCT during
// the vote, everyone once it has closed: a zero p is anyone); final once the vote has closed.
func (s *Service) Results(ctx context.Context, p models.Principal, campaign models.Campaign) ([]models.ServiceResult, bool, error) {
	now := s.now()
	if !p.CanSeeResults(campaign, now) {
		return nil, false, models.Errorf(models.EForbidden, "the results are ANCT's until the vote closes on %s",
			campaign.Schedule.Vote.ClosesAt.UTC().Format(time.RFC3339))
	}
	results, err := s.Store.Results(ctx, campaign.ID)
	return results, campaign.VoteClosed(now), err
}

// VoteClosed reports whether the campaign's vote has closed, on the application's clock.
func (s *Service) VoteClosed(campaign models.Campaign) bool { return campaign.VoteClosed(s.now()) }

// Ballots lists up to limit of a campaign's ballots one by one, by SIREN after the SIREN
// after, to whoever may see its results (ANCT during the vote, everyone once it has
// closed), each ballot as p may read it (the agent who cast it named to ANCT alone).
func (s *Service) Ballots(ctx context.Context, p models.Principal, campaign models.Campaign, after string, limit int) ([]models.BallotEntry, error) {
	if !p.CanSeeBallots(campaign, s.now()) {
		return nil, models.Errorf(models.EForbidden, "the ballots are ANCT's until the vote closes on %s",
			campaign.Schedule.Vote.ClosesAt.UTC().Format(time.RFC3339))
	}
	ballots, err := s.Store.Ballots(ctx, campaign.ID, after, limit)
	for i, b := range ballots {
		ballots[i] = b.SeenBy(p)
	}
	return ballots, err
}

// ExpressInterest records that p's collectivité wants to pilot a selected service, during
// the campaign's interest window.
func (s *Service) ExpressInterest(ctx context.Context, p models.Principal, campaign models.Campaign, serviceID string, req models.InterestRequest) error {
	if err := p.NeedRole(models.RoleApplicant); err != nil {
		return err
	}
	if err := models.Validate(req); err != nil {
		return err
	}
	if err := campaign.InterestOpen(s.now()); err != nil {
		return err
	}
	if _, err := s.Store.CollectiviteBySiren(ctx, p.Siren); models.ErrorCode(err) == models.ENotFound {
		return models.Errorf(models.EForbidden, "SIREN %s is not a collectivité of the registry: only collectivités pilot services", p.Siren)
	} else if err != nil {
		return err
	}
	return s.Store.ExpressInterest(ctx, campaign.ID, models.Interest{ServiceID: serviceID, Siren: p.Siren, Contact: req.Contact,
		UseCase: req.UseCase, CastBy: p.Subject})
}

// Interests lists a service's expressions of interest as p may see them (CanSeeInterest):
// to ANCT, the référents first then the list in order, with whether the référents together
// could apply to an Axe 2 call for projects (the call's own rule, a whole département or
// 500,000 inhabitants, with its explanation); to a collectivité, its own, without the
// eligibility.
func (s *Service) Interests(ctx context.Context, p models.Principal, serviceID string) ([]models.Interest, *models.Eligibility, error) {
	if !p.CanReadInterests() {
		return nil, nil, models.Errorf(models.EForbidden, "only ANCT (an administrator or a national instructor), and a collectivité its own, reads the expressions of interest")
	}
	interests, err := s.Store.Interests(ctx, serviceID)
	if err != nil {
		return nil, nil, err
	}
	interests = slices.DeleteFunc(interests, func(in models.Interest) bool { return !p.CanSeeInterest(in) })
	if !p.ActsForANCT() {
		return interests, nil, nil
	}
	var referents []string
	for _, in := range interests {
		if in.Referent {
			referents = append(referents, in.Siren)
		}
	}
	covered, _, err := s.Store.CoveredCommunes(ctx, referents)
	if err != nil {
		return nil, nil, err
	}
	counts, err := s.Store.CommunesPerDepartement(ctx)
	if err != nil {
		return nil, nil, err
	}
	e := models.CheckEligibility(covered, counts)
	return interests, &e, nil
}

// ConfirmReferent makes a collectivité that expressed interest in a service a territoire
// référent, up to the campaign's number per service.
func (s *Service) ConfirmReferent(ctx context.Context, p models.Principal, campaign models.Campaign, serviceID string, req models.ReferentRequest) error {
	if !p.ActsForANCT() {
		return models.Errorf(models.EForbidden, "only ANCT (an administrator or a national instructor) confirms territoires référents")
	}
	if err := models.Validate(req); err != nil {
		return err
	}
	return s.Store.ConfirmReferent(ctx, campaign.ID, serviceID, req.Siren, p.Subject, campaign.ReferentsPerService)
}
