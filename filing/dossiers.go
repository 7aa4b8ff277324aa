package filing

import (
	"context"
	"slices"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// DossierView is a dossier with its tasks, audit trail and money movements, as the
// caller may see them: the API's answer and the workspace's dossier page.
type DossierView struct {
	models.Dossier
	Tasks  []models.Task        `json:"tasks"`
	Audit  []models.AuditEvent  `json:"audit"`
	Ledger []models.LedgerEntry `json:"ledger"`
}

// DossierView loads dossier id with what p may see of its tasks, audit trail and ledger.
func (s *Service) DossierView(ctx context.Context, p models.Principal, id string) (DossierView, error) {
	d, err := s.VisibleDossier(ctx, p, id)
	if err != nil {
		return DossierView{}, err
	}
	v := DossierView{Dossier: d}
	if v.Tasks, err = s.Store.DossierTasks(ctx, d.ID); err != nil {
		return v, err
	}
	if v.Audit, err = s.Store.AuditTrail(ctx, d.ID); err != nil {
		return v, err
	}
	if v.Ledger, err = s.Store.Ledger(ctx, d.ID, "", 0, 100); err != nil {
		return v, err
	}
	v.Tasks = slices.DeleteFunc(v.Tasks, func(t models.Task) bool { return !p.CanSeeTask(d, t) })
	v.Audit = slices.DeleteFunc(v.Audit, func(e models.AuditEvent) bool { return !p.CanSeeAuditEvent(d, e) })
	return v, nil
}

// AmendChecklist hands p's new checklist for guichet dossier id to its workflow, which
// re-checks the dossier.
func (s *Service) AmendChecklist(ctx context.Context, p models.Principal, id string, req models.ChecklistAmendment) error {
	d, err := s.VisibleDossier(ctx, p, id)
	if err != nil {
		return err
	}
	if err := p.NeedRole(models.RoleApplicant); err != nil {
		return err
	}
	if d.Kind != models.KindGuichet {
		return models.Errorf(models.EConflict, "dossier %s is not a guichet application: it has no checklist", d.ID)
	}
	if err := models.Validate(&req); err != nil {
		return err
	}
	return s.update(ctx, d.WorkflowID(), workflows.UpdateAmendChecklist, nil,
		workflows.AmendRequest{Actor: p, Checklist: req.Checklist})
}

// ProvideInformation answers the instructor's request for information on dossier id: it
// completes the applicant's information task, and the dossier goes back to preselection
// (admissibility for an Axe 3 dossier).
func (s *Service) ProvideInformation(ctx context.Context, p models.Principal, id string, req models.InformationAnswer) error {
	d, err := s.VisibleDossier(ctx, p, id)
	if err != nil {
		return err
	}
	if err := p.NeedRole(models.RoleApplicant); err != nil {
		return err
	}
	if d.Kind != models.KindAAP && d.Kind != models.KindPrefectoral {
		return models.Errorf(models.EConflict, "dossier %s is a guichet dossier: nobody asks it for information", d.ID)
	}
	if err := models.Validate(&req); err != nil {
		return err
	}
	tasks, err := s.Store.DossierTasks(ctx, d.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(tasks, func(t models.Task) bool {
		return t.Type == models.TaskInformation && t.Status.Open()
	})
	if i < 0 {
		return models.Errorf(models.EConflict, "dossier %s is %s: no request for information awaits an answer", d.ID, d.Status)
	}
	if !p.CanAct(tasks[i]) {
		return models.Errorf(models.EForbidden, "only the applicant collectivité can answer")
	}
	return s.update(ctx, d.WorkflowID(), workflows.UpdateCompleteTask, nil, workflows.CompleteTaskRequest{
		TaskID: tasks[i].ID, Actor: p, Outcome: workflows.OutcomeAnswered, Comment: req.Answer})
}

// Withdraw stops the process of dossier id wherever it waits, an administrator's act: its
// open tasks are cancelled, the money it reserved goes back to its envelope (and to
// waiting laureates).
func (s *Service) Withdraw(ctx context.Context, p models.Principal, id string, req models.Withdrawal) error {
	d, err := s.VisibleDossier(ctx, p, id)
	if err != nil {
		return err
	}
	if err := p.NeedRole(models.RoleAdmin); err != nil {
		return err
	}
	if err := models.Validate(&req); err != nil {
		return err
	}
	if !models.Withdrawable(d.Status) {
		return models.Errorf(models.EConflict, "dossier %s is %s: it can no longer be withdrawn", d.ID, d.Status)
	}
	return s.update(ctx, d.WorkflowID(), workflows.UpdateWithdraw, nil, workflows.WithdrawRequest{Actor: p, Reason: req.Reason})
}
