// Package filing is relance's application layer: the acts people perform on dossiers,
// campaigns, services and sessions, each checking who may act, applying the domain's
// rules (package models), and driving the store and the workflows. The API's handlers
// and the workspace's pages both call it, so an act behaves the same whichever way it
// comes, and neither restates its rules.
//
// Filing a dossier records it and starts its workflow as one act from the applicant's
// point of view. Every dossier row ends with its workflow running, or the row does not
// exist: the work that must finish runs on a context detached from the client's, and the
// Reconciler starts the process of any dossier whose start was interrupted (API killed,
// Temporal slow).
package filing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
	"github.com/relance/relance/workflows"
)

// Service is the application layer: every act of the API and the pages, over the store
// and the workflows.
type Service struct {
	Store    *store.Store
	Temporal client.Client
	Logger   *slog.Logger
	// Namespace is the Temporal namespace, for the one-shot probe of an uncertain start.
	Namespace string
	// Timeout is the one deadline of a whole filing: insert, start and clean-up.
	Timeout time.Duration
	// AmendWindow and Deadlines are passed to new workflows.
	AmendWindow time.Duration
	Deadlines   workflows.Deadlines
	// Prefectoral are Axe 3's payment and lab rules, passed to new prefectoral workflows.
	Prefectoral workflows.PrefectoralSettings
	// GuichetClosesAt is when the guichet stops accepting applications; zero: never.
	GuichetClosesAt time.Time
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// AfterInsert, when set, runs between the insert and the start: tests stand in for the
	// API process dying there by returning an error, which ends the filing on the spot.
	AfterInsert func(models.Dossier) error
}

// Filed is the outcome of a filing: the dossier, and whether this request created it
// (false for a retried request with the same Idempotency-Key).
type Filed struct {
	Dossier models.Dossier
	Created bool
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// FileGuichet checks a guichet application's form and files it for the collectivité p
// acts for. After the guichet's closing date, a new application is refused; a retry gets
// the dossier it filed before.
func (s *Service) FileGuichet(ctx context.Context, p models.Principal, idemKey string, app models.GuichetApplication) (Filed, error) {
	if err := p.NeedRole(models.RoleApplicant); err != nil {
		return Filed{}, err
	}
	if err := app.Validate(); err != nil {
		return Filed{}, err
	}
	hash, err := requestHash(app)
	if err != nil {
		return Filed{}, err
	}
	spec, _ := models.ChecklistFor(app.Kind)
	app.ChecklistVersion = spec.Version
	payload, err := json.Marshal(app)
	if err != nil {
		return Filed{}, err
	}
	stillOpen := func() error { return models.GuichetOpen(s.GuichetClosesAt, s.now()) }
	return s.file(ctx, p, idemKey, hash, models.Dossier{Kind: models.KindGuichet, Status: models.StatusSubmitted,
		ApplicantSiren: p.Siren, EnvelopeCode: models.EnvelopeGuichet, RequestedCents: app.GrantCents(), Payload: payload}, stillOpen)
}

// fileApplication files an application that may be saved as a draft: d is the dossier
// to record (its kind, envelope, amount and call), app its application.
func (s *Service) fileApplication(ctx context.Context, p models.Principal, idemKey string, app any, draft bool, d models.Dossier) (Filed, error) {
	hash, err := requestHash(struct {
		App   any  `json:"app"`
		Draft bool `json:"draft"`
	}{app, draft})
	if err != nil {
		return Filed{}, err
	}
	if d.Payload, err = json.Marshal(app); err != nil {
		return Filed{}, err
	}
	d.Status, d.ApplicantSiren = models.StatusSubmitted, p.Siren
	if draft {
		d.Status = models.StatusDraft
	}
	return s.file(ctx, p, idemKey, hash, d, nil)
}

// requestHash is the fingerprint of a request stored with its Idempotency-Key: the JSON of
// the decoded request, whose field order is fixed and map keys sorted.
func requestHash(req any) (string, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// file records d, or finds the dossier filed under the same key, and starts its process
// unless it is a draft, all within one deadline that the client's going away does not cut.
// admit, when not nil, may refuse a new dossier.
func (s *Service) file(ctx context.Context, p models.Principal, idemKey, hash string, d models.Dossier, admit func() error) (Filed, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	id, err := uuid.NewV7()
	if err != nil {
		return Filed{}, err
	}
	d.ID, d.CreatedBy = id.String(), p.Subject
	// The registry names the applicant and places it for scoping; the workflow decides what an unknown SIREN means.
	if col, err := s.Store.CollectiviteBySiren(ctx, d.ApplicantSiren); err == nil {
		d.ApplicantName, d.Departement, d.Region = col.Name, col.Departement, col.Region
	} else if models.ErrorCode(err) != models.ENotFound {
		return Filed{}, err
	}
	// A key is its author's, acting for one collectivité, for one kind of request: the same
	// key for another commune or on another call files anew.
	key := store.IdempotencyKey{Scope: strings.Join([]string{p.Subject, p.Siren, string(d.Kind), d.CallID}, " "), Key: idemKey, RequestHash: hash}
	d, created, err := s.Store.CreateDossier(ctx, d, key, admit)
	if err != nil {
		return Filed{}, err
	}
	if d.Status == models.StatusDraft || d.ProcessStartedAt != nil {
		return Filed{Dossier: d, Created: created}, nil
	}
	if s.AfterInsert != nil {
		if err := s.AfterInsert(d); err != nil {
			return Filed{}, err
		}
	}
	undo := func(ctx context.Context) error {
		if !created {
			return nil // a retry does not remove what the first request filed
		}
		return s.Store.DeleteDossier(ctx, d.ID)
	}
	if err := s.startOrUndo(ctx, d, undo); err != nil {
		return Filed{}, err
	}
	return Filed{Dossier: d, Created: created}, nil
}

// SubmitDraft submits a draft application, or restarts one whose start went unanswered,
// and starts its process. The caller has checked the call is open and the application complete.
func (s *Service) SubmitDraft(ctx context.Context, d models.Dossier) (models.Dossier, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	var err error
	if d.Status == models.StatusDraft {
		if d, err = s.Store.SubmitDraft(ctx, d.ID); err != nil {
			return d, err
		}
	}
	if d.ProcessStartedAt != nil {
		return d, nil
	}
	err = s.startOrUndo(ctx, d, func(ctx context.Context) error { return s.Store.ReturnToDraft(ctx, d.ID) })
	return d, err
}

// submittable refuses a dossier past its submission: a draft is submitted once, and a
// submitted one whose start went unanswered may be submitted again.
func submittable(d models.Dossier) error {
	if d.Status != models.StatusDraft && d.Status != models.StatusSubmitted {
		return models.Errorf(models.EConflict, "dossier %s is already %s", d.ID, d.Status)
	}
	return nil
}

// ownApplication refuses p unless it acts for the collectivité that applied with d: only
// the applicant changes or submits its application.
func ownApplication(p models.Principal, d models.Dossier) error {
	if !p.ActsFor(d.ApplicantSiren) {
		return models.Errorf(models.EForbidden, "only the applicant collectivité can change its application")
	}
	return nil
}

// saveDraft replaces a draft's application, already checked as a draft, and the amount it
// requests.
func (s *Service) saveDraft(ctx context.Context, d models.Dossier, app any, requested models.Cents) (models.Dossier, error) {
	payload, err := json.Marshal(app)
	if err != nil {
		return d, err
	}
	return s.Store.UpdateDraft(ctx, d.ID, payload, requested)
}

// mustBeID refuses an id that is no UUID as naming no such thing (what): every ID relance
// gives is one, and the store is not asked.
func mustBeID(what, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return models.Errorf(models.ENotFound, "no %s %q", what, id)
	}
	return nil
}

// detach gives work that must finish its own deadline, the filing's one: a client that
// disconnects does not cancel it halfway.
func (s *Service) detach(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.Timeout)
}

// startOrUndo starts d's process within ctx's deadline. When the start is known to have
// failed, undo removes the submission and the error is returned; when Temporal cannot
// say, the dossier is left for the reconciler and the answer is unavailable.
func (s *Service) startOrUndo(ctx context.Context, d models.Dossier, undo func(context.Context) error) error {
	// The start gets most of the deadline, the probe that tells a failed start from a slow
	// one the next part, and recording the outcome the last.
	deadline, _ := ctx.Deadline()
	budget := time.Until(deadline)
	startCtx, cancelStart := context.WithDeadline(ctx, deadline.Add(-budget*4/10))
	defer cancelStart()
	err := s.Start(startCtx, d)
	if err == nil {
		s.markStarted(ctx, d)
		return nil
	}
	probeCtx, cancelProbe := context.WithDeadline(ctx, deadline.Add(-budget*2/10))
	defer cancelProbe()
	switch s.probe(probeCtx, d, err) {
	case started:
		s.markStarted(ctx, d)
		return nil
	case notStarted:
		if undoErr := undo(ctx); undoErr != nil {
			// Left in place, the dossier is the reconciler's to start.
			s.Logger.Error("could not undo a submission whose process did not start", "dossier", d.ID, "err", undoErr)
		}
		return err
	}
	s.Logger.Warn("the start of a dossier's process is uncertain: the reconciler will see to it", "dossier", d.ID, "err", err)
	return models.Errorf(models.EUnavailable,
		"the workflow service did not answer in time: dossier %s will be started shortly, and a retry (with the same Idempotency-Key) finds it", d.ID)
}

type startOutcome int

const (
	uncertain startOutcome = iota
	started
	notStarted
)

// probe tells whether a start that failed with err left a workflow behind. A refusal by
// the server is definite. After a timeout or an unreachable server, one describe call with
// no retries settles it: found, or not found, or Temporal unreachable, which means the
// start never arrived (should it land later all the same, its workflow fails at its first
// step on the missing row, moving no money). A server that is reachable but does not
// answer leaves it uncertain.
func (s *Service) probe(ctx context.Context, d models.Dossier, err error) startOutcome {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	if !errors.As(err, &unavailable) && !errors.As(err, &deadline) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return notStarted
	}
	// The SDK's calls retry until their deadline, hiding why they failed: a raw call is one attempt.
	_, err = s.Temporal.WorkflowService().DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{
		Namespace: s.namespace(), Execution: &common.WorkflowExecution{WorkflowId: d.WorkflowID()}})
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return started
	case errors.As(err, &notFound), errors.As(err, &unavailable):
		return notStarted
	}
	return uncertain
}

func (s *Service) namespace() string {
	if s.Namespace == "" {
		return "default"
	}
	return s.Namespace
}

// markStarted records that d's process runs. Should it fail, the reconciler finds the
// workflow running and records it then.
func (s *Service) markStarted(ctx context.Context, d models.Dossier) {
	if err := s.Store.MarkProcessStarted(ctx, d.ID); err != nil {
		s.Logger.Warn("could not record that a dossier's process started", "dossier", d.ID, "err", err)
	}
}

// Start starts a submitted dossier's workflow, its input rebuilt from the dossier row, so
// that the API and the reconciler start dossiers the same way. The workflow id is the
// dossier's: starting it again is harmless.
func (s *Service) Start(ctx context.Context, d models.Dossier) error {
	if d.Kind == models.KindService {
		svc, err := s.Store.Service(ctx, d.ID)
		if err != nil {
			return err
		}
		return s.StartService(ctx, svc)
	}
	var (
		name, what, details string
		input               any
	)
	switch d.Kind {
	case models.KindGuichet:
		var app models.GuichetApplication
		if err := json.Unmarshal(d.Payload, &app); err != nil {
			return fmt.Errorf("dossier %s: guichet application: %w", d.ID, err)
		}
		name, what = workflows.GuichetWorkflowName, "Guichet "+string(app.Kind)
		if app.Kind == models.GuichetAPI {
			what = "Guichet " + models.GuichetAPIs[app.APIName]
		}
		details = "Project cost: " + models.FormatEuros(app.ProjectCostCents)
		input = workflows.GuichetInput{DossierID: d.ID, Siren: d.ApplicantSiren, Kind: app.Kind, SubmittedBy: d.CreatedBy,
			ChecklistVersion: app.ChecklistVersion, AmendWindow: s.AmendWindow, Deadlines: s.Deadlines}
	case models.KindAAP:
		call, err := s.Store.Call(ctx, d.CallID)
		if err != nil {
			return err
		}
		name, what, details = workflows.AAPWorkflowName, fmt.Sprintf("AAP %s round %d", call.Strand, call.Round), "Call: "+call.Title
		input = workflows.AAPInput{DossierID: d.ID, CallID: call.ID, Siren: d.ApplicantSiren, Departement: d.Departement, Region: d.Region,
			SubmittedBy: d.CreatedBy, EnvelopeCode: d.EnvelopeCode, RequestedCents: d.RequestedCents, Deadlines: s.Deadlines}
	case models.KindPrefectoral:
		var app models.PrefectoralApplication
		if err := json.Unmarshal(d.Payload, &app); err != nil {
			return fmt.Errorf("dossier %s: prefectoral application: %w", d.ID, err)
		}
		name, what, details = workflows.PrefectoralWorkflowName, "Axe 3 "+string(app.ProjectType), "Project: "+app.Title
		input = workflows.PrefectoralInput{DossierID: d.ID, Siren: d.ApplicantSiren, Departement: d.Departement, Region: d.Region,
			SubmittedBy: d.CreatedBy, RequestedCents: d.RequestedCents, Deadlines: s.Deadlines, Settings: s.Prefectoral}
	case models.KindCoConstruction:
		var prop models.Proposal
		if err := json.Unmarshal(d.Payload, &prop); err != nil {
			return fmt.Errorf("dossier %s: proposal: %w", d.ID, err)
		}
		name, what, details = workflows.ProposalWorkflowName, "Axe 1 proposal ("+string(prop.Type)+")", "Proposal: "+prop.Title
		input = workflows.ProposalInput{DossierID: d.ID, CampaignID: d.CallID, Siren: d.ApplicantSiren, SubmittedBy: d.CreatedBy,
			Partner: prop.ProposerKind == models.ProposerPartner, Deadlines: s.Deadlines}
	default:
		return fmt.Errorf("dossier %s: unknown kind %q", d.ID, d.Kind)
	}
	applicant := d.ApplicantName
	if applicant == "" {
		applicant = "SIREN " + d.ApplicantSiren
	}
	return s.startOnce(ctx, client.StartWorkflowOptions{
		ID:            d.WorkflowID(),
		StaticSummary: fmt.Sprintf("%s — %s", what, applicant),
		StaticDetails: fmt.Sprintf("Dossier %s\n\nApplicant: %s (SIREN %s), département %s\n\n%s, grant requested: %s",
			d.ID, applicant, d.ApplicantSiren, d.Departement, details, models.FormatEuros(d.RequestedCents)),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SearchKind.ValueSet(string(d.Kind)), workflows.SearchStatus.ValueSet(string(models.StatusSubmitted)),
			workflows.SearchSiren.ValueSet(d.ApplicantSiren), workflows.SearchDepartement.ValueSet(d.Departement),
			workflows.SearchRegion.ValueSet(d.Region)),
	}, name, input)
}

// startOnce starts a process on the task queue under its ID: a process already running
// under that ID is the one wanted (a retry, or the reconciler after the API), and one that
// ran and closed is not started again.
func (s *Service) startOnce(ctx context.Context, opts client.StartWorkflowOptions, name string, input any) error {
	opts.TaskQueue = workflows.TaskQueue
	opts.WorkflowIDReusePolicy = enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
	opts.WorkflowIDConflictPolicy = enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	_, err := s.Temporal.ExecuteWorkflow(ctx, opts, name, input)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		return nil // it ran already and has closed
	}
	return err
}
