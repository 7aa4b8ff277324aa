package filing

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// The préfets' programming sessions: open one on an envelope, read its ranking, decide
// each dossier, close it.

// governsEnvelope refuses anyone but the préfet who decides on Axe 3 envelope code, and
// anything but an envelope a session may be held on.
func governsEnvelope(p models.Principal, code string) error {
	if _, _, ok := models.EnvelopeTerritory(code); !ok {
		return models.FieldErrors(map[string]string{"envelope_code": "is not the envelope of a département or the kept part of a région's (axe3.territorial.<région>.<département|region>)"})
	}
	if !p.GovernsEnvelope(code) {
		return models.Errorf(models.EForbidden, "only the préfet deciding on %s holds its programming sessions", code)
	}
	return nil
}

// OpenSession opens p's programming session on an envelope and invites its scored dossiers.
func (s *Service) OpenSession(ctx context.Context, p models.Principal, req models.OpenSessionRequest) (models.ProgrammingSession, error) {
	if err := models.Validate(req); err != nil {
		return models.ProgrammingSession{}, err
	}
	envelope := req.EnvelopeCode
	if err := governsEnvelope(p, envelope); err != nil {
		return models.ProgrammingSession{}, err
	}
	if _, err := s.Store.Envelope(ctx, envelope); err != nil {
		return models.ProgrammingSession{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return models.ProgrammingSession{}, err
	}
	session, err := s.Store.OpenSession(ctx, id.String(), envelope, p.Subject)
	if err != nil {
		return session, err
	}
	for _, e := range session.Entries {
		if err := s.signal(ctx, models.DossierWorkflowID(e.DossierID), workflows.SignalSessionOpened, session.ID); err != nil {
			s.Logger.Warn("a scored dossier was not invited to its session", "dossier", e.DossierID, "session", session.ID, "err", err)
		}
	}
	return session, nil
}

// Session is programming session id, to whoever works for the State.
func (s *Service) Session(ctx context.Context, p models.Principal, id string) (models.ProgrammingSession, error) {
	if !p.CanReadSessions() {
		return models.ProgrammingSession{}, models.Errorf(models.EForbidden, "only the State's agents (administrators, finance officers, préfets, instructors) read the programming sessions")
	}
	return s.session(ctx, id)
}

// session loads programming session id for an act, which checks its own rule.
func (s *Service) session(ctx context.Context, id string) (models.ProgrammingSession, error) {
	if err := mustBeID("programming session", id); err != nil {
		return models.ProgrammingSession{}, err
	}
	return s.Store.Session(ctx, id)
}

// DecideInSession records p's decision on a dossier of session id and hands it to the
// dossier's workflow, which reserves a grant's money at once.
func (s *Service) DecideInSession(ctx context.Context, p models.Principal, id string, req models.SessionDecision) (models.ProgrammingSession, error) {
	session, err := s.session(ctx, id)
	if err != nil {
		return session, err
	}
	if err := req.Check(session.Entries); err != nil {
		return session, err
	}
	if err := governsEnvelope(p, session.EnvelopeCode); err != nil {
		return session, err
	}
	task, err := s.openProgrammingTask(ctx, session, req.DossierID)
	if err != nil {
		return session, err
	}
	if err := s.Store.RecordSessionDecision(ctx, session.ID, p.Subject, req); err != nil {
		return session, err
	}
	if err := s.completeProgramming(ctx, task, p, req); err != nil {
		// The workflow refused it (an amount over the cap, say): the préfet decides again.
		if undo := s.Store.UndoSessionDecision(ctx, session.ID, req.DossierID); undo != nil {
			s.Logger.Error("a refused decision stays recorded in its session", "session", session.ID, "dossier", req.DossierID, "err", undo)
		}
		return session, err
	}
	return s.Store.Session(ctx, session.ID)
}

// openProgrammingTask finds the préfet's open decision task of a dossier of the session.
func (s *Service) openProgrammingTask(ctx context.Context, session models.ProgrammingSession, dossierID string) (models.Task, error) {
	if session.ClosedAt != nil {
		return models.Task{}, models.Errorf(models.EConflict, "programming session %s is closed", session.ID)
	}
	in := false
	for _, e := range session.Entries {
		in = in || e.DossierID == dossierID
	}
	if !in {
		return models.Task{}, models.FieldErrors(map[string]string{"dossier_id": "is not a dossier of this session"})
	}
	tasks, err := s.Store.DossierTasks(ctx, dossierID)
	if err != nil {
		return models.Task{}, err
	}
	for _, t := range tasks {
		if t.Type == models.TaskProgramming && t.Status.Open() {
			return t, nil
		}
	}
	return models.Task{}, models.Errorf(models.EConflict, "dossier %s has no decision awaiting in this session yet: try again in a moment", dossierID)
}

// completeProgramming hands the préfet's decision to the dossier's workflow, as the
// completion of its decision task.
func (s *Service) completeProgramming(ctx context.Context, t models.Task, p models.Principal, d models.SessionDecision) error {
	var data []byte
	if d.Outcome == models.OutcomeGrant {
		data = fmt.Appendf(nil, `{"amount_cents":%d}`, d.AmountCents)
	}
	return s.update(ctx, models.DossierWorkflowID(t.DossierID), workflows.UpdateCompleteTask, nil,
		workflows.CompleteTaskRequest{TaskID: t.ID, Actor: p, Outcome: d.Outcome, Comment: d.Comment, Data: data})
}

// CloseSession closes p's session id; the dossiers it left undecided are postponed to the next.
func (s *Service) CloseSession(ctx context.Context, p models.Principal, id string) (models.ProgrammingSession, error) {
	session, err := s.session(ctx, id)
	if err != nil {
		return session, err
	}
	if err := governsEnvelope(p, session.EnvelopeCode); err != nil {
		return session, err
	}
	undecided, err := s.Store.CloseSession(ctx, session.ID)
	if err != nil {
		return session, err
	}
	for _, id := range undecided {
		d := models.SessionDecision{DossierID: id, Outcome: models.OutcomePostpone, Comment: "séance de programmation close sans décision sur ce dossier"}
		task, err := s.openProgrammingTask(ctx, session, id)
		if err == nil {
			err = s.completeProgramming(ctx, task, p, d)
		}
		if err != nil {
			s.Logger.Warn("an undecided dossier of a closed session was not postponed", "session", session.ID, "dossier", id, "err", err)
		}
	}
	return s.Store.Session(ctx, session.ID)
}
