package filing

import (
	"context"

	"github.com/relance/relance/models"
)

// SignIn is the principal a person signs in as, from what their identity provider
// claims: the administrator's entry for them, when there is one, replaces the claims'
// roles and scopes, or refuses them when inactive (see models.Person.SignIn); then the
// principal must make sense, and a juror gets the calls whose jury they sit on. The API
// calls it on every request, the workspace at sign-in and on every page, so that an
// entry's change takes effect at once: one query (store.Access), uncached.
func (s *Service) SignIn(ctx context.Context, claimed models.Principal) (models.Principal, error) {
	p := claimed
	access, err := s.Store.Access(ctx, claimed.Subject)
	if err != nil {
		return p, err
	}
	if access.Found {
		if p, err = access.Entry.SignIn(claimed); err != nil {
			return p, err
		}
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	if p.HasRole(models.RoleJury) {
		p.JuryOf = access.JuryCalls
	}
	return p, nil
}
