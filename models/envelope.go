package models

import "slices"

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

// AllocationRequest is the money an administrator allocates to an envelope.
type AllocationRequest struct {
	AllocatedCents *Cents `json:"allocated_cents" validate:"required,cents"`
}

// Engaged is the money no longer available: reserved, committed or paid.
func (e Envelope) Engaged() (Cents, error) {
	return SumCents(e.ReservedCents, e.CommittedCents, e.PaidCents)
}

// AvailableCents is what can still be reserved.
func (e Envelope) AvailableCents() (Cents, error) {
	engaged, err := e.Engaged()
	if err != nil {
		return 0, err
	}
	return SubCents(e.AllocatedCents, engaged)
}

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

// RollUp returns the tree with each parent's reserved, committed and paid figures summed
// from its descendants', in the order given. Sums are checked: figures too large to add
// up are an error, never a wrapped total.
func RollUp(tree []Envelope) ([]Envelope, error) {
	out := slices.Clone(tree)
	index := make(map[string]int, len(out))
	for i, e := range out {
		index[e.Code] = i
	}
	depth := make([]int, len(out))
	for i := range out {
		// Bounded by the tree's size, should a corrupted tree hold a cycle.
		for p, ok := index[out[i].ParentCode]; ok && depth[i] < len(out); p, ok = index[out[p].ParentCode] {
			depth[i]++
		}
	}
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	// Deepest first: a node adds its totals to its parent once its children have added theirs.
	slices.SortStableFunc(order, func(a, b int) int { return depth[b] - depth[a] })
	for _, i := range order {
		p, ok := index[out[i].ParentCode]
		if !ok {
			continue
		}
		var err error
		if out[p].ReservedCents, err = AddCents(out[p].ReservedCents, out[i].ReservedCents); err != nil {
			return nil, err
		}
		if out[p].CommittedCents, err = AddCents(out[p].CommittedCents, out[i].CommittedCents); err != nil {
			return nil, err
		}
		if out[p].PaidCents, err = AddCents(out[p].PaidCents, out[i].PaidCents); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CheckReallocation tells whether the envelope code of tree (as stored: only leaves hold
// money movements) may be given newAllocated. The amount must be a valid one and, below
// the root, at most the fund's total (422 naming allocated_cents). A tree stays consistent
// (409): a node never holds less than it has engaged or given to its children, and
// children never get more than their parent holds. Every sum is checked against overflow.
func CheckReallocation(tree []Envelope, code string, newAllocated Cents) error {
	if !ValidCents(newAllocated) {
		return FieldErrors(map[string]string{"allocated_cents": CentsRange})
	}
	byCode := make(map[string]Envelope, len(tree))
	for _, e := range tree {
		byCode[e.Code] = e
	}
	e, ok := byCode[code]
	if !ok {
		return Errorf(ENotFound, "no envelope %q", code)
	}
	root := e
	for range tree { // bounded, should a corrupted tree hold a cycle
		p, ok := byCode[root.ParentCode]
		if !ok {
			break
		}
		root = p
	}
	if root.Code != code && newAllocated > root.AllocatedCents {
		return FieldErrors(map[string]string{"allocated_cents": "must not exceed the fund's total, " + FormatEuros(root.AllocatedCents)})
	}
	var children, siblings []Cents
	for _, x := range tree {
		switch {
		case x.ParentCode == code:
			children = append(children, x.AllocatedCents)
		case x.ParentCode == e.ParentCode && x.Code != code && e.ParentCode != "":
			siblings = append(siblings, x.AllocatedCents)
		}
	}
	engaged, err := e.Engaged()
	if err != nil {
		return err
	}
	childrenAllocated, err := SumCents(children...)
	if err != nil {
		return err
	}
	switch {
	case newAllocated < engaged:
		return Errorf(EConflict, "envelope %s has %s engaged: it cannot be allocated less", code, FormatEuros(engaged))
	case newAllocated < childrenAllocated:
		return Errorf(EConflict, "envelope %s has %s allocated to its sub-envelopes: it cannot be allocated less", code, FormatEuros(childrenAllocated))
	}
	parent, ok := byCode[e.ParentCode]
	if !ok || newAllocated <= e.AllocatedCents {
		return nil // less money only brings the children further within their parent
	}
	siblingsAllocated, err := SumCents(siblings...)
	if err != nil {
		return err
	}
	together, err := AddCents(siblingsAllocated, newAllocated)
	if err != nil {
		return err
	}
	if together > parent.AllocatedCents {
		return Errorf(EConflict, "envelope %s would exceed its parent %s (%s allocated, %s to the other sub-envelopes)",
			code, parent.Code, FormatEuros(parent.AllocatedCents), FormatEuros(siblingsAllocated))
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

// CheckLeafEnvelope refuses code unless it names an envelope of tree without sub-envelopes:
// money moves on leaves only.
func CheckLeafEnvelope(tree []Envelope, code string) error {
	found := false
	for _, e := range tree {
		if e.ParentCode == code {
			return FieldErrors(map[string]string{"envelope_code": "has sub-envelopes: choose one of them"})
		}
		found = found || e.Code == code
	}
	if !found {
		return FieldErrors(map[string]string{"envelope_code": "is not an envelope"})
	}
	return nil
}
