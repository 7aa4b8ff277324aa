// Package models holds the domain of relance: dossiers, collectivités, envelopes,
// tasks and the pure rules that govern them (eligibility, caps, envelope arithmetic).
// It imports no Temporal, Echo or GORM code so that every rule can be tested alone; field
// rules are validator tags on the request types, checked by Validate.
package models
