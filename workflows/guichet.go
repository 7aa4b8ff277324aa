package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// GuichetWorkflowName is the registered name of the guichet dossier workflow.
const GuichetWorkflowName = "GuichetDossier"

// UpdateAmendChecklist is the Workflow Update through which an applicant completes an
// incomplete guichet dossier.
const UpdateAmendChecklist = "amend_checklist"

// DefaultAmendWindow is how long an incomplete dossier waits for its applicant.
const DefaultAmendWindow = 30 * 24 * time.Hour

// GuichetInput starts a guichet dossier's process.
type GuichetInput struct {
	DossierID string
	Siren     string
	Kind      models.GuichetKind
	// SubmittedBy is the person who filed the application, for the audit trail.
	SubmittedBy string
	// ChecklistVersion is the specification the application answers.
	ChecklistVersion string
	// AmendWindow overrides DefaultAmendWindow (for demos and tests).
	AmendWindow time.Duration
	// Deadlines overrides the default due dates of human tasks.
	Deadlines Deadlines
}

// AmendRequest is an applicant's amended checklist.
type AmendRequest struct {
	Actor     models.Principal
	Checklist map[string]bool
}

// guichet is the state of one guichet dossier's process.
type guichet struct {
	*dossierProcess
	in    GuichetInput
	tasks *taskBoard
	// amendments counts accepted amendments; settled counts those whose re-check has
	// been recorded, so the amend Update can answer with the outcome.
	amendments, settled int
	amending            bool
}

// recordSettling sets the dossier's status, settling every amendment made so far.
func (g *guichet) recordSettling(ctx workflow.Context, in activities.StatusInput, details string) error {
	seen := g.amendments
	if err := g.setStatus(ctx, in, details); err != nil {
		return err
	}
	g.settled = seen
	return nil
}

// GuichetWorkflow runs a FranceConnect/API window dossier: registry check, cap check,
// compliance with the simplified specification, reservation of min(5,000 €, cost), then
// the finance officer's disbursement. An incomplete dossier waits for an amendment and
// closes without action when none comes in time.
func GuichetWorkflow(ctx workflow.Context, in GuichetInput) (Result, error) {
	ctx = withActivityOptions(ctx)
	if in.AmendWindow <= 0 {
		in.AmendWindow = DefaultAmendWindow
	}
	g := &guichet{dossierProcess: newProcess(in.DossierID), in: in}
	g.dossierProcess.record = g.recordSettling
	var err error
	if g.tasks, err = newTaskBoard(ctx, g.dossierProcess); err != nil {
		return Result{}, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAmendChecklist, g.amend,
		workflow.UpdateHandlerOptions{Validator: g.validateAmend}); err != nil {
		return Result{}, err
	}
	return runProcess(ctx, g.dossierProcess, g.tasks, g.run)
}

func (g *guichet) run(ctx workflow.Context) (Result, error) {
	err := workflow.UpsertTypedSearchAttributes(ctx, SearchKind.ValueSet(string(models.KindGuichet)), SearchSiren.ValueSet(g.in.Siren))
	if err != nil {
		return Result{}, err
	}
	if err := g.record(ctx, activities.StatusInput{Status: models.StatusChecking,
		Audit: activities.Audit{Key: "submitted", Actor: g.in.SubmittedBy, Action: models.AuditSubmitted,
			Detail: fmt.Sprintf("%s application filed for SIREN %s", g.in.Kind, g.in.Siren)}},
		"Checking registry, cap and compliance"); err != nil {
		return Result{}, err
	}

	var reg activities.RegistryCheck
	if err := local(ctx, "Find SIREN "+g.in.Siren+" in the registry", acts.CheckRegistry, g.in.Siren).Get(ctx, &reg); err != nil {
		return Result{}, err
	}
	if !reg.Found {
		return g.refuse(ctx, fmt.Sprintf("SIREN %s is not a collectivité or grouping of the registry", g.in.Siren))
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchDepartement.ValueSet(reg.Collectivite.Departement),
		SearchRegion.ValueSet(reg.Collectivite.Region)); err != nil {
		return Result{}, err
	}

	for {
		var holder string
		err := local(ctx, "Check the cap for SIREN "+g.in.Siren, acts.GuichetCapHolder,
			activities.GuichetCapInput{DossierID: g.id, Siren: g.in.Siren, Kind: g.in.Kind}).Get(ctx, &holder)
		if err != nil {
			return Result{}, err
		}
		if holder != "" {
			return g.refuse(ctx, fmt.Sprintf("collectivité %s already holds its %s funding (dossier %s)", g.in.Siren, g.in.Kind, holder))
		}

		var compliance activities.Compliance
		if err := local(ctx, "Check the checklist against the specification", acts.CheckGuichetCompliance, g.id).Get(ctx, &compliance); err != nil {
			return Result{}, err
		}
		if len(compliance.Missing) == 0 {
			break
		}
		seen := g.amendments // an amendment accepted from here on wakes the wait below
		if err := g.record(ctx, activities.StatusInput{Status: models.StatusIncomplete, MissingItems: compliance.Missing,
			Reason: fmt.Sprintf("%d item(s) of specification %s not met", len(compliance.Missing), compliance.Version),
			Audit: activities.Audit{Key: fmt.Sprintf("incomplete/%d", g.amendments), Actor: "system", Action: models.AuditIncomplete,
				Detail: fmt.Sprintf("%d item(s) missing", len(compliance.Missing))}},
			fmt.Sprintf("Incomplete: waiting for the applicant to amend %d item(s)", len(compliance.Missing))); err != nil {
			return Result{}, err
		}
		amended, err := awaitUntil(ctx, g.in.AmendWindow, "End of the amendment window", func() bool { return g.amendments > seen })
		if err != nil {
			return Result{}, err
		}
		if !amended {
			// An amendment accepted as the window closed is still being saved: it counts.
			if err := workflow.Await(ctx, func() bool { return !g.amending }); err != nil {
				return Result{}, err
			}
		}
		if g.amendments == seen {
			return g.close(ctx, models.StatusClosedWithoutAction,
				fmt.Sprintf("no amendment within %s: closed without action", g.in.AmendWindow), models.AuditLapsed)
		}
	}

	var funding activities.Funding
	if err := local(ctx, "Reserve the grant on "+models.EnvelopeGuichet, acts.FundGuichet, g.id).Get(ctx, &funding); err != nil {
		return Result{}, err
	}
	if !funding.Funded {
		return g.refuse(ctx, funding.Refusal)
	}
	return g.disburse(ctx, funding.GrantedCents)
}

// disburse waits for the finance officer's payment, then closes the dossier as paid.
func (g *guichet) disburse(ctx workflow.Context, granted models.Cents) (Result, error) {
	// Version 1 gave the disbursement task a due date, with a reminder and an escalation;
	// dossiers funded before it keep a task without one.
	var due, remind time.Duration
	if workflow.GetVersion(ctx, "disbursement-due-date", workflow.DefaultVersion, 1) == 1 {
		due, remind = g.in.Deadlines.disbursement(), g.in.Deadlines.reminder()
	}
	return g.tasks.disburse(ctx, granted, due, remind,
		fmt.Sprintf("Funded %s: waiting for the finance officer's payment", models.FormatEuros(granted)),
		activities.Audit{Key: "funded", Actor: "system", Action: models.AuditFunded,
			Detail: fmt.Sprintf("%s reserved on %s", models.FormatEuros(granted), models.EnvelopeGuichet)})
}

func (g *guichet) validateAmend(ctx workflow.Context, req AmendRequest) error {
	switch {
	case g.status != models.StatusIncomplete || g.amending || g.settled != g.amendments:
		return temporal.NewApplicationError(fmt.Sprintf("dossier is %s: only an incomplete dossier can be amended", g.status), models.EConflict)
	case !req.Actor.ActsFor(g.in.Siren):
		return temporal.NewApplicationError("only the applicant collectivité can amend its dossier", models.EForbidden)
	}
	if err := models.Validate(models.ChecklistAmendment{Checklist: req.Checklist}); err != nil {
		return asApplicationError(err)
	}
	spec, ok := models.ChecklistByVersion(g.in.ChecklistVersion)
	if !ok {
		spec, _ = models.ChecklistFor(g.in.Kind) // started before the version travelled with the input
	}
	return asApplicationError(spec.UnknownItems(req.Checklist))
}

// amend saves the amended checklist, wakes the process and answers with the status the
// re-check leads to.
func (g *guichet) amend(ctx workflow.Context, req AmendRequest) (models.Status, error) {
	// The validator has checked the request; only the state may have moved since.
	if g.status != models.StatusIncomplete || g.amending || g.settled != g.amendments {
		return "", temporal.NewApplicationError(fmt.Sprintf("dossier is %s: only an incomplete dossier can be amended", g.status), models.EConflict)
	}
	ctx = withActivityOptions(ctx)
	g.amending = true // no second amendment until this one is re-checked
	defer func() { g.amending = false }()
	err := local(ctx, "Save the amended checklist", acts.SaveGuichetChecklist, activities.AmendInput{DossierID: g.id, Checklist: req.Checklist,
		Audit: activities.Audit{Key: fmt.Sprintf("amended/%d", g.amendments+1), Actor: req.Actor.Subject, Action: models.AuditAmended,
			Detail: "checklist amended"}}).Get(ctx, nil)
	if err != nil {
		return "", err
	}
	g.amendments++
	g.amending = false // saved: the process may take it from here
	n := g.amendments
	if err := workflow.Await(ctx, func() bool { return g.settled >= n }); err != nil {
		return "", err
	}
	return g.status, nil
}
