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

// SavePerson adds or replaces an administrator's entry for a person (roles and scopes that
// replace their provider's claims, or a deactivation), audited with the entry before and
// after. It takes effect at the person's next request (SignIn reads it uncached).
func (s *Service) SavePerson(ctx context.Context, admin models.Principal, p models.Person) error {
	if err := admin.NeedRole(models.RoleAdmin); err != nil {
		return err
	}
	return s.Store.SavePerson(ctx, p, admin.Subject)
}

// RemovePerson removes an administrator's entry: the person signs in with their provider's
// claims again. The removal is audited with the entry removed.
func (s *Service) RemovePerson(ctx context.Context, admin models.Principal, subject string) error {
	if err := admin.NeedRole(models.RoleAdmin); err != nil {
		return err
	}
	return s.Store.DeletePerson(ctx, subject, admin.Subject)
}
