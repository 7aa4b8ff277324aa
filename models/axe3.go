package models

import (
	"cmp"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Axe 3, the prefectoral grants: the territorial envelope split into régions, each région's
// envelope delegated to its départements or kept regional, the lab reserve, the CRTE and
// each territory's rules.

// EnvelopeAxe3Territorial is the 30 M€ the administrator splits into regional envelopes.
const EnvelopeAxe3Territorial = "axe3.territorial"

// keptSuffix ends the code of the part of a regional envelope its préfet keeps: only
// leaves hold money movements, so the kept part is a leaf beside the départements'.
const keptSuffix = ".region"

// RegionEnvelope is the code of région's envelope, parent of its départements' and of its
// kept part.
func RegionEnvelope(region string) string { return EnvelopeAxe3Territorial + "." + region }

// KeptEnvelope is the code of the part of région's envelope its préfet keeps regional.
func KeptEnvelope(region string) string { return RegionEnvelope(region) + keptSuffix }

// DepartementEnvelope is the code of the envelope région delegates to département dep.
func DepartementEnvelope(region, dep string) string { return RegionEnvelope(region) + "." + dep }

// SplitByPopulation shares total among the régions in proportion to their population,
// rounded down to the euro; the euros (and cents) rounding leaves go to the most populous
// région, so the shares always sum to total. Régions without population get nothing.
func SplitByPopulation(total Cents, population map[string]int64) map[string]Cents {
	out := make(map[string]Cents, len(population))
	var sum int64
	largest := ""
	for r, p := range population {
		out[r] = 0
		if p <= 0 {
			continue
		}
		sum += p
		if largest == "" || p > population[largest] || (p == population[largest] && r < largest) {
			largest = r
		}
	}
	if sum == 0 || total <= 0 {
		return out
	}
	euros := big.NewInt(int64(total) / 100)
	var given Cents
	for r, p := range population {
		if p <= 0 {
			continue
		}
		// euros × p / sum can exceed 64 bits before the division.
		share := new(big.Int).Mul(euros, big.NewInt(p))
		share.Quo(share, big.NewInt(sum))
		out[r] = Euros(share.Int64())
		given += out[r]
	}
	out[largest] += total - given
	return out
}

// CheckRegionalSplit tells whether split may become the régions' envelopes: whole régions,
// no negative amount, summing to the territorial envelope; and no région below what it has
// already delegated or engaged (held, by région code).
func CheckRegionalSplit(split map[string]Cents, territorial Cents, held map[string]Cents) error {
	fields := map[string]string{}
	var sum Cents
	for r, a := range split {
		switch {
		case !ValidRegion(r):
			fields["allocations."+r] = "is not a région code (two digits)"
		case a < 0:
			fields["allocations."+r] = "must not be negative"
		}
		sum += a
	}
	if len(fields) > 0 {
		return FieldErrors(fields)
	}
	if sum != territorial {
		return Errorf(EConflict, "the regional envelopes sum to %s, not the %s of %s", FormatEuros(sum), FormatEuros(territorial), EnvelopeAxe3Territorial)
	}
	for _, r := range slices.Sorted(maps.Keys(held)) {
		if split[r] < held[r] {
			return Errorf(EConflict, "région %s has %s delegated or engaged: its envelope cannot be %s", r, FormatEuros(held[r]), FormatEuros(split[r]))
		}
	}
	return nil
}

// CheckDelegation tells whether a préfet de région may give département dep the amount
// newAmount out of the région's envelope: never below what dep's envelope has engaged, and
// never more than the kept part can give (the kept part never goes below what it engaged).
// The tree sums because the kept part is the région's envelope less its delegations.
func CheckDelegation(dep, kept Envelope, newAmount Cents) error {
	if !ValidCents(newAmount) {
		return FieldErrors(map[string]string{"amount_cents": CentsRange})
	}
	depEngaged, err := dep.Engaged()
	if err != nil {
		return err
	}
	keptEngaged, err := kept.Engaged()
	if err != nil {
		return err
	}
	// Every figure is within MaxCents, so these differences cannot overflow.
	switch {
	case newAmount < depEngaged:
		return Errorf(EConflict, "envelope %s has %s engaged: it cannot be delegated less", dep.Code, FormatEuros(depEngaged))
	case kept.AllocatedCents-(newAmount-dep.AllocatedCents) < keptEngaged:
		return Errorf(EConflict, "the regional envelope keeps %s, of which %s engaged: it cannot delegate %s more",
			FormatEuros(kept.AllocatedCents), FormatEuros(keptEngaged), FormatEuros(newAmount-dep.AllocatedCents))
	}
	return nil
}

// EnvelopeAct is an audited act on the Axe 3 envelopes: a regional split or a delegation.
type EnvelopeAct struct {
	ID           int64     `json:"id"`
	EnvelopeCode string    `json:"envelope_code"`
	Action       string    `json:"action"`
	Actor        string    `json:"actor"`
	FromCents    Cents     `json:"from_cents"`
	ToCents      Cents     `json:"to_cents"`
	At           time.Time `json:"at"`
}

// Envelope act actions.
const (
	ActRegionalSplit = "regional_split"
	ActDelegation    = "delegation"
)

// Lab is a territorial innovation lab: a dossier that involves one draws on the lab reserve.
type Lab struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Region string `json:"region"`
}

// referenceID is the form of the IDs an administrator gives labs and CRTE: lower-case
// letters, digits and dashes, as they appear in URLs.
var referenceID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidReferenceID reports whether id may name a lab or a CRTE.
func ValidReferenceID(id string) bool { return referenceID.MatchString(id) }

// checkReferenceID refuses an id that may not name a lab or a CRTE, as a field error.
func checkReferenceID(id string) error {
	if !ValidReferenceID(id) {
		return FieldErrors(map[string]string{"id": "must be 1 to 63 lower-case letters, digits and dashes, starting with a letter or digit"})
	}
	return nil
}

// LabRequest is a lab as the administrator gives it.
type LabRequest struct {
	Name   string `json:"name" validate:"notblank,max=200"`
	Region string `json:"region" validate:"region"`
}

// Lab is the lab id the request describes, once its id and fields pass their rules; the
// registry must still know its région.
func (r LabRequest) Lab(id string) (Lab, error) {
	if err := checkReferenceID(id); err != nil {
		return Lab{}, err
	}
	if err := Validate(r); err != nil {
		return Lab{}, err
	}
	return Lab{ID: id, Name: strings.TrimSpace(r.Name), Region: r.Region}, nil
}

// FundingEnvelopes lists, in order, the envelopes a granted Axe 3 dossier draws on: the lab
// reserve first when it involves a lab, then (unless the fallback is off) its territorial
// envelope; otherwise the territorial envelope alone.
func FundingEnvelopes(territorial string, involvesLab, labFallback bool) []string {
	switch {
	case !involvesLab:
		return []string{territorial}
	case labFallback:
		return []string{EnvelopeAxe3Lab, territorial}
	}
	return []string{EnvelopeAxe3Lab}
}

// CRTE is a contrat de relance et de transition écologique: a grant to a collectivité it
// covers is added to it as a financial annex instead of an ad hoc agreement.
type CRTE struct {
	ID string `json:"id"`
	// Name is the contract's name.
	Name string `json:"name"`
	// EPCIs are the SIRENs of the EPCI it covers, with all their member communes.
	EPCIs []string `json:"epcis"`
	// Communes are the SIRENs of communes it covers outside those EPCI.
	Communes []string `json:"communes,omitempty"`
	// SignedOn is the date it was signed.
	SignedOn time.Time `json:"signed_on"`
}

// CRTERequest is a CRTE as the administrator gives it.
type CRTERequest struct {
	Name     string   `json:"name" validate:"notblank,max=200"`
	EPCIs    []string `json:"epcis" validate:"max=100,unique,dive,siren"`
	Communes []string `json:"communes" validate:"max=1000,unique,dive,siren"`
	SignedOn string   `json:"signed_on" validate:"required,datetime=2006-01-02"`
}

// CRTE is the CRTE id the request describes, once its id, its fields and what it covers
// pass their rules; the registry must still know its EPCI and communes as such.
func (r CRTERequest) CRTE(id string) (CRTE, error) {
	if err := checkReferenceID(id); err != nil {
		return CRTE{}, err
	}
	if err := Validate(r); err != nil {
		return CRTE{}, err
	}
	signed, _ := time.Parse(time.DateOnly, r.SignedOn) // the datetime rule checked it
	c := CRTE{ID: id, Name: strings.TrimSpace(r.Name), EPCIs: r.EPCIs, Communes: r.Communes, SignedOn: signed}
	return c, c.CheckCoverage()
}

// CheckCoverage refuses a CRTE that covers nothing: a contract covers at least one EPCI or
// commune.
func (c CRTE) CheckCoverage() error {
	if len(c.EPCIs)+len(c.Communes) == 0 {
		return FieldErrors(map[string]string{"epcis": "a CRTE covers at least one EPCI or commune"})
	}
	return nil
}

// Covers reports whether the CRTE covers the collectivité with this SIREN, given the member
// communes of each EPCI (by SIREN): an EPCI it lists, a commune it lists, or a commune
// member of an EPCI it lists.
func (c CRTE) Covers(siren string, members map[string][]string) bool {
	if slices.Contains(c.EPCIs, siren) || slices.Contains(c.Communes, siren) {
		return true
	}
	return slices.ContainsFunc(c.EPCIs, func(epci string) bool { return slices.Contains(members[epci], siren) })
}

// CoveringCRTE returns the CRTE covering siren, the earliest signed if several do.
func CoveringCRTE(crtes []CRTE, siren string, members map[string][]string) (CRTE, bool) {
	var found []CRTE
	for _, c := range crtes {
		if c.Covers(siren, members) {
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		return CRTE{}, false
	}
	return slices.MinFunc(found, func(a, b CRTE) int {
		return cmp.Or(a.SignedOn.Compare(b.SignedOn), strings.Compare(a.ID, b.ID))
	}), true
}

// CriteriaCount is the number of Axe 3 selection criteria (DOMAIN.md): backing, team,
// users, economic model, impact.
const CriteriaCount = 5

// Axe3Rules are a territory's rules for Axe 3: the population cap (0: none), the maximum
// rate of public funding of the eligible cost, and the criteria's weights.
type Axe3Rules struct {
	// Scope is the département or région that set them (national for the defaults).
	Scope                Scope              `json:"scope"`
	PopulationCap        int64              `json:"population_cap"`
	MaxPublicRatePercent int                `json:"max_public_rate_percent"`
	Weights              [CriteriaCount]int `json:"weights"`
}

// DefaultMaxPublicRatePercent is the usual ceiling of public funding for State grants to
// collectivités.
const DefaultMaxPublicRatePercent = 80

// DefaultAxe3Rules are the rules of a territory that set none: no cap, 80 %, equal weights.
func DefaultAxe3Rules() Axe3Rules {
	return Axe3Rules{Scope: ScopeNational, MaxPublicRatePercent: DefaultMaxPublicRatePercent, Weights: [CriteriaCount]int{1, 1, 1, 1, 1}}
}

// RegionalSplitRequest is the administrator's split of the territorial envelope.
type RegionalSplitRequest struct {
	// Allocations gives each région (by INSEE code) its envelope, in cents.
	Allocations map[string]Cents `json:"allocations" validate:"required,min=1,dive,keys,region,endkeys,cents"`
}

// DelegationRequest is what a préfet de région delegates to one of its départements.
type DelegationRequest struct {
	AmountCents *Cents `json:"amount_cents" validate:"required,cents"`
}

// Axe3RulesRequest is a territory's Axe 3 rules as the préfet sets them.
type Axe3RulesRequest struct {
	PopulationCap        *int64 `json:"population_cap" validate:"required,min=0"`
	MaxPublicRatePercent *int   `json:"max_public_rate_percent" validate:"required,min=1,max=100"`
	// Weights is a list, not an array: JSON into a Go array drops extra items silently.
	Weights []int `json:"weights" validate:"required,len=5,dive,min=0,max=100"`
}

// Validate checks the rules make sense: a département or région scope, a cap not negative,
// a rate in 1–100, weights in 0–100 and not all zero.
func (r Axe3Rules) Validate() error {
	fields := map[string]string{}
	if r.Scope.Kind != ScopeKindDepartement && r.Scope.Kind != ScopeKindRegion || !r.Scope.Valid() {
		fields["scope"] = "must be a département or a région"
	}
	if r.PopulationCap < 0 {
		fields["population_cap"] = "must not be negative (0 for no cap)"
	}
	if r.MaxPublicRatePercent < 1 || r.MaxPublicRatePercent > 100 {
		fields["max_public_rate_percent"] = "must be between 1 and 100"
	}
	sum := 0
	for _, w := range r.Weights {
		if w < 0 || w > 100 {
			fields["weights"] = "each weight must be between 0 and 100"
		}
		sum += w
	}
	if sum == 0 && fields["weights"] == "" {
		fields["weights"] = "at least one weight must be positive"
	}
	if len(fields) > 0 {
		return FieldErrors(fields)
	}
	return nil
}

// ApplicableRules picks the rules of a dossier's territory: its département's if set, else
// its région's, else the defaults.
func ApplicableRules(set []Axe3Rules, departement, region string) Axe3Rules {
	for _, want := range []Scope{DepartementScope(departement), RegionScope(region)} {
		if i := slices.IndexFunc(set, func(r Axe3Rules) bool { return r.Scope == want }); i >= 0 {
			return set[i]
		}
	}
	return DefaultAxe3Rules()
}

// EnvelopeTerritory reads the territory of an Axe 3 envelope a session may be held on: a
// département's envelope (région and département), or a région's kept part (région, "").
func EnvelopeTerritory(code string) (region, dep string, ok bool) {
	rest, found := strings.CutPrefix(code, EnvelopeAxe3Territorial+".")
	if !found {
		return "", "", false
	}
	region, leaf, found := strings.Cut(rest, ".")
	switch {
	case !found || !ValidRegion(region):
		return "", "", false
	case leaf == strings.TrimPrefix(keptSuffix, "."):
		return region, "", true
	case ValidDepartement(leaf):
		return region, leaf, true
	}
	return "", "", false
}

// SplitByActs reports whether an envelope's allocation moves only through Axe 3's audited
// acts (the regional split, the delegations), never by a direct change: a région's
// envelope and its leaves always sum, which a direct change would break.
func SplitByActs(code string) bool { return strings.HasPrefix(code, EnvelopeAxe3Territorial+".") }
