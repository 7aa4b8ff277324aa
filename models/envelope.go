package models

// Envelope is one node of the fund's budget tree (fund → axe → strand, plus the Axe 3
// lab reserve). Only leaves hold money movements; a parent's figures are the sums of its
// children's. Available money is what is allocated and not yet reserved, committed or paid.
type Envelope struct {
	Code           string `json:"code"`
	ParentCode     string `json:"parent_code,omitempty"`
	Label          string `json:"label"`
	AllocatedCents Cents  `json:"allocated_cents"`
	ReservedCents  Cents  `json:"reserved_cents"`
	CommittedCents Cents  `json:"committed_cents"`
	PaidCents      Cents  `json:"paid_cents"`
}

// Engaged is the money no longer available: reserved, committed or paid.
func (e Envelope) Engaged() Cents { return e.ReservedCents + e.CommittedCents + e.PaidCents }

// AvailableCents is what can still be reserved.
func (e Envelope) AvailableCents() Cents { return e.AllocatedCents - e.Engaged() }

// Envelope codes used by the workflows.
const (
	EnvelopeFund    = "fund"
	EnvelopeAxe1    = "axe1"
	EnvelopeAxe2    = "axe2"
	EnvelopeGuichet = "axe2.guichet"
	EnvelopeAxe3    = "axe3"
	EnvelopeAxe3Lab = "axe3.lab"
)

// DefaultEnvelopes is the fund's tree as announced on 25 January 2021. How Axe 2 splits
// across its strands was left open by the government: these are defaults an administrator
// edits. Parents come before their children.
func DefaultEnvelopes() []Envelope {
	return []Envelope{
		{Code: EnvelopeFund, Label: "Transformation numérique des territoires", AllocatedCents: Euros(88_000_000)},
		{Code: EnvelopeAxe1, ParentCode: EnvelopeFund, Label: "Axe 1 — co-construction de services numériques", AllocatedCents: Euros(30_000_000)},
		{Code: EnvelopeAxe2, ParentCode: EnvelopeFund, Label: "Axe 2 — guichet national", AllocatedCents: Euros(24_000_000)},
		{Code: EnvelopeGuichet, ParentCode: EnvelopeAxe2, Label: "Axe 2 — guichet FranceConnect et API", AllocatedCents: Euros(6_000_000)},
		{Code: "axe2.dematerialisation", ParentCode: EnvelopeAxe2, Label: "Axe 2 — AAP dématérialisation de qualité", AllocatedCents: Euros(6_000_000)},
		{Code: "axe2.donnees", ParentCode: EnvelopeAxe2, Label: "Axe 2 — AAP cycle de vie de la donnée", AllocatedCents: Euros(6_000_000)},
		{Code: "axe2.cooperation", ParentCode: EnvelopeAxe2, Label: "Axe 2 — AAP coopération avec les écosystèmes", AllocatedCents: Euros(6_000_000)},
		{Code: EnvelopeAxe3, ParentCode: EnvelopeFund, Label: "Axe 3 — guichet territorial (préfets)", AllocatedCents: Euros(34_000_000)},
		{Code: "axe3.territorial", ParentCode: EnvelopeAxe3, Label: "Axe 3 — projets territoriaux", AllocatedCents: Euros(30_000_000)},
		{Code: EnvelopeAxe3Lab, ParentCode: EnvelopeAxe3, Label: "Axe 3 — réserve labs d'innovation territoriale", AllocatedCents: Euros(4_000_000)},
	}
}

// CheckReallocation tells whether an envelope may be given newAllocated, given its own
// engaged money, the allocations of its children, its parent's allocation and its
// siblings' allocations. A tree stays consistent: a node never holds less than it has
// engaged or given to its children, and children never hold more than their parent.
func CheckReallocation(e Envelope, newAllocated, childrenAllocated Cents, parent *Envelope, siblingsAllocated Cents) error {
	switch {
	case newAllocated < 0:
		return FieldErrors(map[string]string{"allocated_cents": "must not be negative"})
	case newAllocated < e.Engaged():
		return Errorf(EConflict, "envelope %s has %s engaged: it cannot be allocated less", e.Code, FormatEuros(e.Engaged()))
	case newAllocated < childrenAllocated:
		return Errorf(EConflict, "envelope %s has %s allocated to its sub-envelopes: it cannot be allocated less", e.Code, FormatEuros(childrenAllocated))
	case parent != nil && siblingsAllocated+newAllocated > parent.AllocatedCents:
		return Errorf(EConflict, "envelope %s would exceed its parent %s (%s allocated, %s to the other sub-envelopes)",
			e.Code, parent.Code, FormatEuros(parent.AllocatedCents), FormatEuros(siblingsAllocated))
	}
	return nil
}

// Ledger entry kinds: each money movement of a dossier on an envelope.
const (
	LedgerReserve = "reserve" // money set aside for a decided dossier
	LedgerRelease = "release" // a reservation given back (refusal, lapse)
	LedgerCommit  = "commit"  // a reservation made firm by a signed agreement
	LedgerPay     = "pay"     // money disbursed
	LedgerRecover = "recover" // money disbursed and recovered (ordre de reversement)
)
