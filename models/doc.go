// Package models holds the domain of relance: dossiers, collectivités, envelopes,
// tasks, the pure rules that govern them (eligibility, caps, envelope arithmetic) and
// the one access policy (policy.go: who sees and acts on what, over typed scopes).
// It imports no Temporal, Echo or GORM code so that every rule can be tested alone; field
// rules are validator tags on the request types, checked by Validate.
package models
