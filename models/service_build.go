package models

import (
	"fmt"
	"time"
)

// KindService is the reference row of a candidate service among the dossiers: it is what
// the service's human tasks, audit trail and process hang on, so that they go through the
// same task board, inbox and reconciler as a dossier's. Its status follows the service's.
const KindService DossierKind = "service"

// StatusServiceMerged closes a candidate service's reference row when the service is
// merged into another (a proposal's StatusMerged is still in the vote).
const StatusServiceMerged Status = "service_merged"

// ServiceDossierStatus is the status a candidate service's reference row shows, the one
// its workflow's DossierStatus search attribute shows too.
func ServiceDossierStatus(s ServiceStatus) Status {
	switch s {
	case ServiceMerged:
		return StatusServiceMerged
	case ServiceSelected:
		return StatusSelected
	case ServiceNotSelected:
		return StatusNotSelected
	case ServiceDelivered:
		return StatusDelivered
	}
	return StatusAccepted // in the vote
}

// ServiceRoute is how a selected service is built and deployed.
type ServiceRoute string

const (
	// RouteDeployExisting deploys an existing service and makes it last under a governance run by collectivités.
	RouteDeployExisting ServiceRoute = "deploy_existing"
	// RouteIncubator builds a new service in the Incubateur des Territoires.
	RouteIncubator ServiceRoute = "incubator"
	// RouteStateService opens an existing State service (e.g. SNAP) to the collectivités.
	RouteStateService ServiceRoute = "state_service"
)

// LegalVehicle is the legal form of the body that will carry a service.
type LegalVehicle string

const (
	VehicleSMO   LegalVehicle = "smo"  // syndicat mixte ouvert
	VehicleGIP   LegalVehicle = "gip"  // groupement d'intérêt public
	VehicleSCIC  LegalVehicle = "scic" // société coopérative d'intérêt collectif
	VehicleOther LegalVehicle = "other"
)

// Build and deploy's task types, in the order a service meets them.
const (
	TaskServiceRoute         TaskType = "service_route"           // ANCT records the route and plans the milestones
	TaskServiceInvestigation TaskType = "service_investigation"   // milestone: investigation done
	TaskServiceBeta          TaskType = "service_beta"            // milestone: beta with the référents
	TaskServiceDeployment    TaskType = "service_deployment"      // milestone: deployed
	TaskServicePayment       TaskType = "service_payment"         // finance records a payment against the budget
	TaskServiceLegalStudy    TaskType = "service_legal_study"     // ANCT's legal study: the vehicle and its funding
	TaskServiceVehicle       TaskType = "service_vehicle_funding" // finance pays the legal vehicle's funding
	TaskServiceDelivery      TaskType = "service_delivery"        // ANCT publishes the service
)

// ServiceMilestones are the milestone tasks, in order.
var ServiceMilestones = []TaskType{TaskServiceInvestigation, TaskServiceBeta, TaskServiceDeployment}

// IsServiceTask reports whether a task of type t is a candidate service's: its process is
// the service's workflow, not a dossier's.
func IsServiceTask(t TaskType) bool {
	switch t {
	case TaskServiceRoute, TaskServiceInvestigation, TaskServiceBeta, TaskServiceDeployment, TaskServicePayment,
		TaskServiceLegalStudy, TaskServiceVehicle, TaskServiceDelivery:
		return true
	}
	return false
}

// TaskWorkflowID is the ID of the workflow that waits on task t: its service's, its
// campaign's (a committee's task), or its dossier's.
func TaskWorkflowID(t Task) string {
	switch {
	case IsServiceTask(t.Type):
		return ServiceWorkflowID(t.DossierID)
	case t.IsCampaignTask():
		return CampaignWorkflowID(t.DossierID)
	}
	return DossierWorkflowID(t.DossierID)
}

// Outcomes of build and deploy's tasks.
const (
	OutcomeRouted    = "routed"
	OutcomeReached   = "reached"
	OutcomeStudied   = "studied"
	OutcomeDelivered = "delivered"
)

// RouteCompletion is ANCT's route for a selected service, with its planned milestones.
type RouteCompletion struct {
	Comment string     `json:"comment" validate:"max=2000"`
	Data    *RouteData `json:"data" validate:"required"`
}

// RouteData is the route and its plan: the due date of each milestone (in order), and
// whether a legal study of the vehicle that will carry the service comes first.
type RouteData struct {
	Route            ServiceRoute `json:"route" validate:"oneof=deploy_existing incubator state_service"`
	Note             string       `json:"note" validate:"notblank,min=10,max=5000"`
	InvestigationDue string       `json:"investigation_due" validate:"required,datetime=2006-01-02"`
	BetaDue          string       `json:"beta_due" validate:"required,datetime=2006-01-02"`
	DeploymentDue    string       `json:"deployment_due" validate:"required,datetime=2006-01-02"`
	LegalStudy       bool         `json:"legal_study"`
}

// Dues are the milestones' due dates, at the end of their day (UTC), in ServiceMilestones' order.
func (r RouteData) Dues() []time.Time {
	var out []time.Time
	for _, s := range []string{r.InvestigationDue, r.BetaDue, r.DeploymentDue} {
		d, _ := time.Parse(time.DateOnly, s)
		out = append(out, d.Add(24*time.Hour-time.Second))
	}
	return out
}

// Check verifies the plan: milestones after today, each after the one before.
func (r RouteData) Check(now time.Time) error {
	fields := map[string]string{}
	names := []string{"data.investigation_due", "data.beta_due", "data.deployment_due"}
	dues := r.Dues()
	for i, d := range dues {
		switch {
		case d.Before(now):
			fields[names[i]] = "must not be in the past"
		case i > 0 && !d.After(dues[i-1]):
			fields[names[i]] = "must come after " + names[i-1]
		}
	}
	if len(fields) > 0 {
		return FieldErrors(fields)
	}
	return nil
}

// MilestoneCompletion records that a milestone is reached.
type MilestoneCompletion struct {
	Comment string         `json:"comment" validate:"notblank,min=3,max=2000"`
	Data    *MilestoneData `json:"data" validate:"required"`
}

// MilestoneData is the day a milestone was reached.
type MilestoneData struct {
	ReachedOn string `json:"reached_on" validate:"required,datetime=2006-01-02"`
}

// Check verifies a milestone is not dated in the future.
func (m MilestoneData) Check(now time.Time) error {
	return notFuture("data.reached_on", m.ReachedOn, now)
}

// ServicePaymentCompletion is a payment finance records against a service's budget.
type ServicePaymentCompletion struct {
	Comment string              `json:"comment" validate:"notblank,min=3,max=2000"`
	Data    *ServicePaymentData `json:"data" validate:"required"`
}

// ServicePaymentData is one payment: its amount, date and reference in the accounting system.
type ServicePaymentData struct {
	AmountCents Cents  `json:"amount_cents" validate:"required,cents"`
	PaidOn      string `json:"paid_on" validate:"required,datetime=2006-01-02"`
	Reference   string `json:"reference" validate:"notblank,min=3,max=64"`
}

// Check verifies a payment against what the budget has left, and its date.
func (p ServicePaymentData) Check(left Cents, now time.Time) error {
	if p.AmountCents > left {
		return FieldErrors(map[string]string{"data.amount_cents": fmt.Sprintf("must be at most the %s the service's budget has left", FormatEuros(left))})
	}
	return notFuture("data.paid_on", p.PaidOn, now)
}

// LegalStudyCompletion is the legal study's conclusion: the vehicle that will carry the
// service and the funding it gets from the service's budget.
type LegalStudyCompletion struct {
	Comment string          `json:"comment" validate:"notblank,min=10,max=5000"`
	Data    *LegalStudyData `json:"data" validate:"required"`
}

// LegalStudyData names the vehicle and its funding.
type LegalStudyData struct {
	Vehicle      LegalVehicle `json:"vehicle" validate:"oneof=smo gip scic other"`
	Name         string       `json:"name" validate:"notblank,min=3,max=200"`
	FundingCents Cents        `json:"funding_cents" validate:"required,cents"`
}

// Check verifies the funding against what the budget has left.
func (l LegalStudyData) Check(left Cents) error {
	if l.FundingCents > left {
		return FieldErrors(map[string]string{"data.funding_cents": fmt.Sprintf("must be at most the %s the service's budget has left", FormatEuros(left))})
	}
	return nil
}

// VehicleFundingCompletion is finance's payment of the vehicle's funding, of the amount the study set.
type VehicleFundingCompletion struct {
	Comment string   `json:"comment" validate:"max=2000"`
	Data    *Payment `json:"data" validate:"required"`
}

// DeliveryCompletion publishes a service: how a collectivité joins it.
type DeliveryCompletion struct {
	Comment string        `json:"comment" validate:"max=2000"`
	Data    *DeliveryData `json:"data" validate:"required"`
}

// DeliveryData is what the Territoires Store shows of how to join the service.
type DeliveryData struct {
	HowToJoin string `json:"how_to_join" validate:"notblank,min=10,max=5000"`
	Contact   string `json:"contact" validate:"notblank,max=200"`
}

// ServiceBuild is where a candidate service's build and deploy stands.
type ServiceBuild struct {
	Service        CandidateService `json:"service"`
	Route          ServiceRoute     `json:"route,omitempty"`
	RouteNote      string           `json:"route_note,omitempty"`
	Milestones     []Task           `json:"milestones"`
	Payments       []LedgerEntry    `json:"payments"`
	PaidCents      Cents            `json:"paid_cents"`
	RemainingCents Cents            `json:"remaining_cents"`
	Vehicle        LegalVehicle     `json:"vehicle,omitempty"`
	VehicleName    string           `json:"vehicle_name,omitempty"`
	VehicleCents   Cents            `json:"vehicle_funding_cents"`
	HowToJoin      string           `json:"how_to_join,omitempty"`
	Contact        string           `json:"contact,omitempty"`
	ReleasedCents  Cents            `json:"released_cents"`
	OpenTasks      []Task           `json:"open_tasks"`
}

// Remaining is what a budget has left once paid is spent and committed promised (checked: a corrupted figure never goes negative).
func Remaining(budget, paid, committed Cents) Cents {
	spent, err := AddCents(paid, committed)
	if err != nil || spent > budget {
		return 0
	}
	return budget - spent
}
