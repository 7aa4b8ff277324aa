package filing

import (
	"context"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// Ledger is a page of the ledger, newest first (before the entry of ID before, when set),
// optionally of one dossier or envelope: whoever answers for the money reads it.
func (s *Service) Ledger(ctx context.Context, p models.Principal, dossierID, envelope string, before int64, limit int) ([]models.LedgerEntry, error) {
	if !p.CanReadLedger() {
		return nil, models.Errorf(models.EForbidden, "only the administrators and finance officers read the ledger")
	}
	return s.Store.Ledger(ctx, dossierID, envelope, before, limit)
}

// SetAllocation gives an administrator's envelope its new allocation. More money may fund
// laureates waiting on the envelope, in their jury's ranking order: each is reserved its
// grant, then its workflow told; one that is not told checks again within a day. It
// answers the envelope as it then stands and the dossiers funded from the waiting list.
func (s *Service) SetAllocation(ctx context.Context, p models.Principal, code string, req models.AllocationRequest) (models.Envelope, []string, error) {
	if err := models.Validate(req); err != nil {
		return models.Envelope{}, nil, err
	}
	if err := p.NeedRole(models.RoleAdmin); err != nil {
		return models.Envelope{}, nil, err
	}
	env, err := s.Store.SetAllocation(ctx, code, *req.AllocatedCents)
	if err != nil {
		return env, nil, err
	}
	promoted, err := s.Store.PromoteWaiting(ctx, env.Code)
	if err != nil {
		return env, nil, err
	}
	for _, id := range promoted {
		if err := s.signal(ctx, models.DossierWorkflowID(id), workflows.SignalGrantReserved, nil); err != nil {
			s.Logger.Warn("a funded laureate was not told; it checks again within a day", "dossier", id, "err", err)
		}
	}
	env, err = s.Store.Envelope(ctx, env.Code)
	return env, promoted, err
}
