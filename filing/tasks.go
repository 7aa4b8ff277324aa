package filing

import (
	"context"
	"fmt"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// VisibleDossier loads a dossier p may see: not found when it does not exist, forbidden
// when the policy keeps it from p.
func (s *Service) VisibleDossier(ctx context.Context, p models.Principal, id string) (models.Dossier, error) {
	if err := mustBeID("dossier", id); err != nil {
		return models.Dossier{}, err
	}
	d, err := s.Store.Dossier(ctx, id)
	if err != nil {
		return d, err
	}
	if !p.CanSeeDossier(d) {
		return d, models.Errorf(models.EForbidden, "dossier %s is outside your scope", id)
	}
	return d, nil
}

// VisibleTask loads a task p may see: one it may act on, or one of a dossier it reads (a
// jury member's vote or the State's instruction only for those who see the internals), or
// of a campaign's committee it sits on or reads as ANCT.
func (s *Service) VisibleTask(ctx context.Context, p models.Principal, id string) (models.Task, error) {
	t, err := s.Store.Task(ctx, id)
	if err != nil {
		return t, err
	}
	if t.IsCampaignTask() {
		c, err := s.Store.Campaign(ctx, t.DossierID)
		if err != nil {
			return t, err
		}
		if !p.CanSeeCampaignTask(c, t) {
			return t, models.Errorf(models.EForbidden, "task %s is the committee's of campaign %s", t.ID, c.ID)
		}
		return t, nil
	}
	d, err := s.Store.Dossier(ctx, t.DossierID)
	if err != nil {
		return t, err
	}
	switch {
	case p.CanSeeTask(d, t):
		return t, nil
	case p.CanSeeDossier(d) && t.IsDeliberation():
		return t, models.Errorf(models.EForbidden, "task %s is a jury member's vote: its applicant sees the jury's decision, not the votes", t.ID)
	case p.CanSeeDossier(d):
		return t, models.Errorf(models.EForbidden, "task %s is the State's instruction: its applicant is told the decision and its motivation, not the instruction", t.ID)
	}
	return t, models.Errorf(models.EForbidden, "dossier %s is outside your scope", d.ID)
}

// ClaimTask asks the dossier's workflow, which knows who works on what, to record p's claim
// of task id, or its release.
func (s *Service) ClaimTask(ctx context.Context, p models.Principal, id string, release bool) (models.Task, error) {
	t, err := s.VisibleTask(ctx, p, id)
	if err != nil {
		return t, err
	}
	if !p.CanAct(t) && !(release && p.CanReleaseAnyClaim()) {
		return t, models.NotYourTask(t)
	}
	if !t.Status.Open() {
		return t, models.Errorf(models.EConflict, "task %s is already %s", t.ID, t.Status)
	}
	if t.Type == models.TaskProgramming {
		// The session keeps the ranking and the motivation of a departure from it.
		return t, errDecideInSession
	}
	var row models.Task // fresh: a released task's assignee is omitted from the workflow's answer
	err = s.update(ctx, models.TaskWorkflowID(t), workflows.UpdateClaimTask, &row,
		workflows.ClaimTaskRequest{TaskID: t.ID, Actor: p, Release: release})
	return row, err
}

// errDecideInSession refuses the préfet's decision task outside its session, which keeps
// the ranking and the motivation of a departure from it.
var errDecideInSession = models.Errorf(models.EConflict, "the préfet decides in the programming session: POST /api/v1/axe3/sessions/{id}/decisions")

// CompleteTask hands p's completion of task id to the dossier's workflow as an Update and
// waits for its answer: the task as closed and the dossier's new status, or a refusal that
// left nothing in the workflow's history.
func (s *Service) CompleteTask(ctx context.Context, p models.Principal, id string, req models.Completion) (models.Task, models.Status, error) {
	t, err := s.VisibleTask(ctx, p, id)
	if err != nil {
		return t, "", err
	}
	if !p.CanAct(t) {
		return t, "", models.NotYourTask(t)
	}
	// The outcome's rules, as the workflow's Update validator applies them.
	payload, err := req.Payload(t.Type)
	if err != nil {
		return t, "", err
	}
	if merge, ok := payload.(*models.MergeCompletion); ok {
		if err := s.checkMerge(ctx, t, merge); err != nil {
			return t, "", err
		}
	}
	if !t.Status.Open() {
		return t, "", models.Errorf(models.EConflict, "task %s is already %s", t.ID, t.Status)
	}
	if t.Type == models.TaskProgramming {
		return t, "", errDecideInSession
	}
	var result workflows.CompleteTaskResult
	if err := s.update(ctx, models.TaskWorkflowID(t), workflows.UpdateCompleteTask, &result,
		workflows.CompleteTaskRequest{TaskID: t.ID, Actor: p, Outcome: req.Outcome, Comment: req.Comment, Data: req.Data}); err != nil {
		return t, "", err
	}
	t, err = s.Store.Task(ctx, t.ID)
	return t, result.Status, err
}

// checkMerge refuses a review merging a proposal into anything but another proposal of the
// same campaign that is in the vote with its own candidate service.
func (s *Service) checkMerge(ctx context.Context, t models.Task, merge *models.MergeCompletion) error {
	bad := func(msg string) error { return models.FieldErrors(map[string]string{"data.into_dossier_id": msg}) }
	if merge.Data.IntoDossierID == t.DossierID {
		return bad("is this proposal itself")
	}
	self, err := s.Store.Dossier(ctx, t.DossierID)
	if err != nil {
		return err
	}
	into, err := s.Store.Dossier(ctx, merge.Data.IntoDossierID)
	switch {
	case models.ErrorCode(err) == models.ENotFound:
		return bad("is not a dossier")
	case err != nil:
		return err
	case into.Kind != models.KindCoConstruction || into.CallID != self.CallID:
		return bad("is not a proposal of the same campaign")
	case into.Status != models.StatusAccepted:
		return bad(fmt.Sprintf("is %s: only an accepted proposal has a candidate service of its own", into.Status))
	}
	return nil
}

// ReassignTask hands task id to someone else, an administrator's act audited with its
// reason: the workflow records them as the task's claimant.
func (s *Service) ReassignTask(ctx context.Context, p models.Principal, id string, req models.Reassignment) (models.Task, error) {
	return s.adminTaskUpdate(ctx, p, id, &req, func(t models.Task) (string, any, error) {
		return workflows.UpdateReassignTask, workflows.ReassignTaskRequest{TaskID: t.ID, Actor: p, Assignee: req.Assignee, Reason: req.Reason}, nil
	})
}

// ExtendTask moves the due date of task id later, an administrator's act audited with its
// reason: the workflow restarts its reminder and escalation for the new date.
func (s *Service) ExtendTask(ctx context.Context, p models.Principal, id string, req models.Extension) (models.Task, error) {
	return s.adminTaskUpdate(ctx, p, id, &req, func(t models.Task) (string, any, error) {
		switch {
		case !models.DueDateExtendable(t.Type):
			return "", nil, models.Errorf(models.EConflict, "the due date of a %s task is the process's deadline: it cannot be moved", t.Type)
		case t.DueAt == nil:
			return "", nil, models.Errorf(models.EConflict, "task %s has no due date", t.ID)
		}
		if err := models.CheckExtension(*t.DueAt, req.DueAt, s.now()); err != nil {
			return "", nil, err
		}
		return workflows.UpdateExtendTask, workflows.ExtendTaskRequest{TaskID: t.ID, Actor: p, DueAt: req.DueAt, Reason: req.Reason}, nil
	})
}

// adminTaskUpdate loads task id as p may see it, checks an administrator's req and that the
// task is open, and sends the Update build makes of it to the task's workflow; the answer
// is the task as the workflow left it.
func (s *Service) adminTaskUpdate(ctx context.Context, p models.Principal, id string, req any, build func(models.Task) (string, any, error)) (models.Task, error) {
	t, err := s.VisibleTask(ctx, p, id)
	if err != nil {
		return t, err
	}
	if err := p.NeedRole(models.RoleAdmin); err != nil {
		return t, err
	}
	if err := models.Validate(req); err != nil {
		return t, err
	}
	if !t.Status.Open() {
		return t, models.Errorf(models.EConflict, "task %s is already %s", t.ID, t.Status)
	}
	name, arg, err := build(t)
	if err != nil {
		return t, err
	}
	var row models.Task // fresh: the answer's omitted fields are cleared ones
	err = s.update(ctx, models.TaskWorkflowID(t), name, &row, arg)
	return row, err
}
