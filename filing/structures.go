package filing

import (
	"context"

	"github.com/relance/relance/models"
)

// SaveStructure records an administrator's entry for a structure (a syndicat mixte, a
// PETR…), or gives a département or a région its SIREN, and answers the registry's entry
// as it then stands with what it covers. A change is audited under the SIREN's trail.
func (s *Service) SaveStructure(ctx context.Context, admin models.Principal, e models.StructureEntry) (models.Collectivite, models.Coverage, error) {
	if err := admin.NeedRole(models.RoleAdmin); err != nil {
		return models.Collectivite{}, models.Coverage{}, err
	}
	return s.Store.SaveStructure(ctx, e, admin.Subject)
}
