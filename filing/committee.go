package filing

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/relance/relance/models"
)

// A campaign's committee works through the tasks its campaign's workflow opens once the
// vote has closed: each member's opinions, then the chair's decision. The acts below are
// routes into those tasks' completion, with the campaign's own checks first.

// CommitteeSessionView is a committee's session: the results in order, who answered with
// which opinions, and how many answers the quorum still misses.
type CommitteeSessionView struct {
	Committee        []models.CommitteeMember `json:"committee"`
	Chair            string                   `json:"chair"`
	Quorum           int                      `json:"quorum"`
	Answered         []string                 `json:"answered"`
	MissingForQuorum int                      `json:"missing_for_quorum"`
	Results          []models.ServiceResult   `json:"results"`
	Opinions         []models.MemberOpinion   `json:"opinions"`
}

// CommitteeSession is a campaign's committee session, to its members and ANCT.
func (s *Service) CommitteeSession(ctx context.Context, p models.Principal, campaign models.Campaign) (CommitteeSessionView, error) {
	if !campaign.IsCommitteeMember(p.Subject) && !p.ActsForANCT() {
		return CommitteeSessionView{}, models.Errorf(models.EForbidden, "only the committee's members and ANCT see its session")
	}
	results, err := s.Store.Results(ctx, campaign.ID)
	if err != nil {
		return CommitteeSessionView{}, err
	}
	opinions, err := s.Store.Opinions(ctx, campaign.ID)
	if err != nil {
		return CommitteeSessionView{}, err
	}
	answered := answeredMembers(opinions)
	return CommitteeSessionView{Committee: campaign.Committee, Chair: campaign.Chair, Quorum: campaign.Quorum,
		Answered: answered, MissingForQuorum: campaign.QuorumMissing(answered), Results: results, Opinions: opinions}, nil
}

// GiveOpinions is a committee member's completion of its opinions task, once the vote has
// closed: an opinion on each candidate service, in the order of the results, with a comment.
func (s *Service) GiveOpinions(ctx context.Context, p models.Principal, campaign models.Campaign, req models.OpinionsRequest) error {
	if err := campaign.OpinionsOpen(p, s.now()); err != nil {
		return err
	}
	services, err := s.Store.Services(ctx, campaign.ID)
	if err != nil {
		return err
	}
	if err := campaign.CheckOpinions(req, services); err != nil {
		return err
	}
	t, err := s.openCommitteeTask(ctx, campaign, models.TaskCommitteeOpinions, p.Subject)
	if models.ErrorCode(err) == models.ENotFound {
		return models.Errorf(models.EConflict, "the committee's tasks open once the campaign's workflow has seen the vote close, or it has decided: %s", err)
	}
	if err != nil {
		return err
	}
	return s.completeCommitteeTask(ctx, p, t, models.OutcomeOpinions, req)
}

// RecordDecision is the chair's completion of the committee's decision task, once the vote
// has closed and the quorum has answered: the campaign's workflow reserves the selected
// services' budgets on the campaign's envelope at once (or none), then tells each service.
// It answers the task completed and the campaign's services as they then stand.
func (s *Service) RecordDecision(ctx context.Context, p models.Principal, campaign models.Campaign, d models.CommitteeDecision) (models.Task, []models.CandidateService, error) {
	if err := campaign.DecisionOpen(p, s.now()); err != nil {
		return models.Task{}, nil, err
	}
	// The workflow checks it again; checked here, a decision at fault is answered with its
	// fields whether or not the chair's task is open yet.
	services, err := s.Store.Services(ctx, campaign.ID)
	if err != nil {
		return models.Task{}, nil, err
	}
	if err := campaign.CheckDecision(d, services); err != nil {
		return models.Task{}, nil, err
	}
	t, err := s.openCommitteeTask(ctx, campaign, models.TaskCommitteeDecision, p.Subject)
	if models.ErrorCode(err) == models.ENotFound {
		opinions, oerr := s.Store.Opinions(ctx, campaign.ID)
		if oerr != nil {
			return t, nil, oerr
		}
		if missing := campaign.QuorumMissing(answeredMembers(opinions)); missing > 0 {
			return t, nil, models.Errorf(models.EConflict, "the decision waits for %d more member(s)' opinions (quorum %d)", missing, campaign.Quorum)
		}
		return t, nil, models.Errorf(models.EConflict, "%s", err)
	}
	if err != nil {
		return t, nil, err
	}
	if err := s.completeCommitteeTask(ctx, p, t, models.OutcomeDecided, d); err != nil {
		return t, nil, err
	}
	services, err = s.Store.Services(ctx, campaign.ID)
	return t, services, err
}

// openCommitteeTask finds the open task of type typ that campaign's workflow opened for
// member: the committee's acts are routes into the task completion.
func (s *Service) openCommitteeTask(ctx context.Context, campaign models.Campaign, typ models.TaskType, member string) (models.Task, error) {
	tasks, err := s.Store.DossierTasks(ctx, campaign.ID)
	if err != nil {
		return models.Task{}, err
	}
	var done *models.Task
	for i := len(tasks) - 1; i >= 0; i-- {
		t := tasks[i]
		switch {
		case t.Type != typ || t.Assignee != member:
		case t.Status.Open():
			return t, nil
		case done == nil:
			done = &t
		}
	}
	if done != nil {
		return *done, models.Errorf(models.EConflict, "your %s task %s is already %s", typ, done.ID, done.Status)
	}
	return models.Task{}, models.Errorf(models.ENotFound, "no %s task of yours is open in campaign %s", typ, campaign.ID)
}

// completeCommitteeTask completes a committee task with data as its payload.
func (s *Service) completeCommitteeTask(ctx context.Context, p models.Principal, t models.Task, outcome string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, _, err = s.CompleteTask(ctx, p, t.ID, models.Completion{Outcome: outcome, Data: raw})
	return err
}

// answeredMembers lists the members who have given their opinions.
func answeredMembers(opinions []models.MemberOpinion) []string {
	var out []string
	for _, o := range opinions {
		if !slices.Contains(out, o.Member) {
			out = append(out, o.Member)
		}
	}
	return out
}
