package filing

import (
	"context"

	"github.com/relance/relance/models"
)

// Axe 3's reference lists, the administrator's: the territorial innovation labs and the
// CRTE, each change audited on the entry's trail.

// PutLab creates or replaces lab id, of a région the registry knows: an administrator's act.
func (s *Service) PutLab(ctx context.Context, p models.Principal, id string, req models.LabRequest) (models.Lab, error) {
	if err := p.NeedRole(models.RoleAdmin); err != nil {
		return models.Lab{}, err
	}
	lab, err := req.Lab(id)
	if err != nil {
		return lab, err
	}
	return lab, s.Store.PutLab(ctx, lab, p.Subject)
}

// PutCRTE creates or replaces CRTE id, covering EPCI and communes the registry knows: an
// administrator's act.
func (s *Service) PutCRTE(ctx context.Context, p models.Principal, id string, req models.CRTERequest) (models.CRTE, error) {
	if err := p.NeedRole(models.RoleAdmin); err != nil {
		return models.CRTE{}, err
	}
	crte, err := req.CRTE(id)
	if err != nil {
		return crte, err
	}
	return crte, s.Store.PutCRTE(ctx, crte, p.Subject)
}
