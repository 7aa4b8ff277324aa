package activities

import (
	"context"

	"github.com/relance/relance/models"
)

// ServiceState reads a candidate service as the database holds it: the committee's
// decision, its budget and proposals, for a service's workflow that may have missed a signal.
func (a *Activities) ServiceState(ctx context.Context, id string) (models.CandidateService, error) {
	svc, err := a.Store.Service(ctx, id)
	return svc, classify(err)
}

// ServiceRouteInput is the route ANCT chose for a selected service.
type ServiceRouteInput struct {
	ServiceID string
	Route     models.ServiceRoute
	Note      string
	Actor     string
}

// RecordServiceRoute records a selected service's route (once), with its audit event.
func (a *Activities) RecordServiceRoute(ctx context.Context, in ServiceRouteInput) error {
	return classify(a.Store.SetServiceRoute(ctx, in.ServiceID, in.Route, in.Note, in.Actor))
}

// ServiceVehicleInput is the legal study's conclusion.
type ServiceVehicleInput struct {
	ServiceID string
	Study     models.LegalStudyData
	Actor     string
}

// RecordServiceVehicle records the legal vehicle of a selected service and its funding (once).
func (a *Activities) RecordServiceVehicle(ctx context.Context, in ServiceVehicleInput) error {
	return classify(a.Store.SetServiceVehicle(ctx, in.ServiceID, in.Study, in.Actor))
}

// ServicePaymentInput is one payment against a selected service's budget; Part names it,
// so that a retried activity pays it once.
type ServicePaymentInput struct {
	ServiceID   string
	Part        string
	Reference   string
	AmountCents models.Cents
	Audit       Audit
}

// PayService records a payment against a service's budget in the ledger (once), with its audit event.
func (a *Activities) PayService(ctx context.Context, in ServicePaymentInput) (models.LedgerEntry, error) {
	entry, err := a.Store.PayService(ctx, in.ServiceID, in.Part, in.Reference, in.AmountCents)
	if err != nil {
		return entry, classify(err)
	}
	return entry, a.audit(ctx, in.ServiceID, in.Audit)
}

// DeliverServiceInput publishes a service.
type DeliverServiceInput struct {
	ServiceID string
	Actor     string
	Delivery  models.DeliveryData
}

// DeliverService publishes a selected service in the Territoires Store and gives what its
// budget has left back to the envelope (once).
func (a *Activities) DeliverService(ctx context.Context, in DeliverServiceInput) (models.CandidateService, error) {
	svc, err := a.Store.DeliverService(ctx, in.ServiceID, in.Actor, in.Delivery)
	return svc, classify(err)
}
