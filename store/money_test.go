package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

// available is an envelope's available money, which must add up.
func available(t testing.TB, e models.Envelope) models.Cents {
	t.Helper()
	a, err := e.AvailableCents()
	require.NoError(t, err)
	return a
}

// engaged is an envelope's engaged money, which must add up.
func engaged(t testing.TB, e models.Envelope) models.Cents {
	t.Helper()
	n, err := e.Engaged()
	require.NoError(t, err)
	return n
}

// TestAmountsCannotOverflow: amounts beyond the bound are refused, whatever the envelope,
// and figures stored before amounts were bounded give a clear error, never a wrapped sum.
func TestAmountsCannotOverflow(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		before, err := st.Envelopes(ctx)
		require.NoError(t, err)

		// The PATCH of issue 6: the siblings' 18 M€ plus this wrapped to a negative sum.
		_, err = st.SetAllocation(ctx, models.EnvelopeGuichet, math.MaxInt64)
		requireField(t, err, "allocated_cents")
		_, err = st.SetAllocation(ctx, models.EnvelopeFund, models.MaxCents+1)
		requireField(t, err, "allocated_cents")
		_, err = st.SetAllocation(ctx, models.EnvelopeAxe2, models.Euros(88_000_000)+1)
		requireField(t, err, "allocated_cents")
		_, err = st.SetAllocation(ctx, models.EnvelopeGuichet, models.Euros(88_000_000)+1)
		requireField(t, err, "allocated_cents")
		for _, amount := range []models.Cents{0, -1, math.MinInt64, models.MaxCents + 1, math.MaxInt64} {
			err := st.inTx(ctx, func(tx *gorm.DB) error { return st.reserveTx(tx, "d1", models.EnvelopeGuichet, amount) })
			require.Equal(t, models.EInvalid, models.ErrorCode(err), "reserve %d", amount)
		}
		after, err := st.Envelopes(ctx)
		require.NoError(t, err)
		require.Equal(t, before, after, "nothing refused changed anything")

		// The fund may grow to the bound, and its strands with it: sums near the bound add up.
		_, err = st.SetAllocation(ctx, models.EnvelopeFund, models.MaxCents)
		require.NoError(t, err)
		_, err = st.SetAllocation(ctx, models.EnvelopeAxe2, models.MaxCents-models.Euros(64_000_000))
		require.NoError(t, err)
		_, err = st.SetAllocation(ctx, models.EnvelopeGuichet, models.MaxCents-models.Euros(82_000_000))
		require.NoError(t, err)
		_, err = st.SetAllocation(ctx, models.EnvelopeGuichet, models.MaxCents-models.Euros(82_000_000)+1)
		require.Equal(t, models.EConflict, models.ErrorCode(err), "the siblings' sum is exact at the bound")
		require.NoError(t, st.inTx(ctx, func(tx *gorm.DB) error {
			return st.reserveTx(tx, "d1", models.EnvelopeGuichet, models.MaxCents-models.Euros(82_000_000))
		}))
		fund, err := st.Envelope(ctx, models.EnvelopeFund)
		require.NoError(t, err)
		require.Equal(t, models.MaxCents-models.Euros(82_000_000), fund.ReservedCents)
		require.Equal(t, models.Euros(82_000_000), available(t, fund))

		// Figures stored before the bound (as the PATCH of issue 6 left them) are refused
		// with a message, not summed into garbage.
		require.NoError(t, st.db.Exec("UPDATE envelopes SET allocated_cents = ?, paid_cents = ? WHERE code IN (?, ?)",
			int64(math.MaxInt64), int64(math.MaxInt64/2+1), "axe2.donnees", "axe2.cooperation").Error)
		_, err = st.Envelopes(ctx)
		require.ErrorIs(t, err, models.ErrCentsOverflow)
		_, err = st.SetAllocation(ctx, "axe2.dematerialisation", models.Euros(6_000_000)+1)
		require.ErrorIs(t, err, models.ErrCentsOverflow)
		require.Contains(t, models.ErrorMessage(err), "too large to add up")
		// An administrator mends it: once the impossible payments are struck out, each
		// corrupted envelope accepts a bounded allocation again, and the tree adds up.
		require.NoError(t, st.db.Exec("UPDATE envelopes SET paid_cents = 0 WHERE code IN (?, ?)", "axe2.donnees", "axe2.cooperation").Error)
		for _, code := range []string{"axe2.donnees", "axe2.cooperation"} {
			_, err = st.SetAllocation(ctx, code, models.Euros(6_000_000))
			require.NoError(t, err)
		}
		_, err = st.Envelopes(ctx)
		require.NoError(t, err)
	})
}

// TestGrantsAreBounded: a grant out of range is refused before the waiting list, where it
// would block every laureate behind it.
func TestGrantsAreBounded(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		_, err := st.SetAllocation(ctx, "axe2.donnees", 1_000_000)
		require.NoError(t, err)
		for _, id := range []string{"first", "waiting", "huge", "next"} {
			newDossier(t, st, id, "217500016", "75")
		}
		at := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
		ok, err := st.ReserveOrWait(ctx, "first", "axe2.donnees", 800_000, 500, at)
		require.NoError(t, err)
		require.True(t, ok)
		ok, err = st.ReserveOrWait(ctx, "waiting", "axe2.donnees", 600_000, 500, at)
		require.NoError(t, err)
		require.False(t, ok)
		for _, amount := range []models.Cents{math.MaxInt64, models.MaxCents + 1, 0, -1, math.MinInt64} {
			_, err = st.ReserveOrWait(ctx, "huge", "axe2.donnees", amount, 1000, at)
			require.Equal(t, models.EInvalid, models.ErrorCode(err), "grant of %d", amount)
		}
		ok, err = st.ReserveOrWait(ctx, "next", "axe2.donnees", 100_000, 10, at)
		require.NoError(t, err)
		require.False(t, ok)
		_, err = st.Release(ctx, "first")
		require.NoError(t, err)
		promoted, err := st.PromoteWaiting(ctx, "axe2.donnees")
		require.NoError(t, err)
		require.Equal(t, []string{"waiting", "next"}, promoted, "nothing out of range waits ahead of them")
	})
}

// TestCorruptedFiguresAreRefusedNotWrapped: an envelope whose stored figures would overflow
// the SQL of a money movement refuses it with a 409 and keeps its figures; before, PostgreSQL
// answered "bigint out of range" (a 500) and SQLite stored a float no read could scan.
func TestCorruptedFiguresAreRefusedNotWrapped(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		g := models.EnvelopeGuichet
		require.NoError(t, st.db.Exec("UPDATE envelopes SET allocated_cents = ? WHERE code = ?", int64(math.MaxInt64), g).Error)
		require.NoError(t, st.FundGuichet(ctx, "d1", "217500016", models.GuichetAPI, g, 100))
		require.NoError(t, st.FundGuichet(ctx, "d2", "217500016", models.GuichetFranceConnect, g, 100))
		require.NoError(t, st.db.Exec("UPDATE envelopes SET committed_cents = ?, paid_cents = ? WHERE code = ?",
			int64(math.MaxInt64-50), int64(math.MaxInt64-50), g).Error)
		before := moneySnapshot(t, st)

		err := st.Commit(ctx, "d1") // committed + 100 would pass int64's max
		require.Equal(t, models.EConflict, models.ErrorCode(err), "%v", err)
		require.Contains(t, models.ErrorMessage(err), "the ledger and the envelope disagree")
		_, err = st.Pay(ctx, "d2", "VIR-1") // paid + 100 likewise
		require.Equal(t, models.EConflict, models.ErrorCode(err), "%v", err)
		err = st.FundGuichet(ctx, "d3", "213502388", models.GuichetAPI, g, 100) // allocated - reserved - committed - paid
		require.ErrorIs(t, err, models.ErrCentsOverflow)
		require.Equal(t, before, moneySnapshot(t, st), "nothing refused changed anything")

		e, err := st.Envelope(ctx, g)
		require.NoError(t, err)
		_, err = e.AvailableCents()
		require.ErrorIs(t, err, models.ErrCentsOverflow, "figures that do not add up are an error, not a wrapped total")
	})
}

// requireField checks err is a 422 naming field.
func requireField(t *testing.T, err error, field string) {
	t.Helper()
	var e *models.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, models.EInvalid, e.Code)
	require.Contains(t, e.Fields, field)
}

// An envelope operation of the fuzz, encoded in 10 bytes: kind, target, amount (big endian).
type envelopeOp struct {
	kind   byte // one of opAllocate…opPay, modulo their number
	target byte // the envelope to allocate; the dossier (target%8) and its envelope (target/8) otherwise
	amount models.Cents
}

const (
	opAllocate byte = iota
	opReserve
	opRelease
	opCommit
	opPay
	opKinds
)

const maxFuzzOps = 32 // per input, to keep each execution short

func encodeOps(ops ...envelopeOp) []byte {
	var out []byte
	for _, op := range ops {
		out = append(out, op.kind, op.target)
		out = binary.BigEndian.AppendUint64(out, uint64(op.amount))
	}
	return out
}

func decodeOps(data []byte) []envelopeOp {
	var ops []envelopeOp
	for len(data) >= 10 && len(ops) < maxFuzzOps {
		ops = append(ops, envelopeOp{kind: data[0] % opKinds, target: data[1], amount: models.Cents(binary.BigEndian.Uint64(data[2:10]))})
		data = data[10:]
	}
	return ops
}

// fuzzEnvelopeCodes are the envelopes of the default tree, in its order (fund first).
var fuzzEnvelopeCodes = func() []string {
	var codes []string
	for _, e := range models.DefaultEnvelopes() {
		codes = append(codes, e.Code)
	}
	return codes
}()

// reserveOn is the target of a reservation by dossier d on the envelope code.
func reserveOn(code string, d byte) byte {
	return byte(slices.Index(fuzzEnvelopeCodes, code))*8 + d
}

func allocate(code string, amount models.Cents) envelopeOp {
	return envelopeOp{opAllocate, byte(slices.Index(fuzzEnvelopeCodes, code)), amount}
}

// FuzzEnvelopeOperations runs sequences of allocations and money movements with arbitrary
// amounts (huge and negative included) against SQLite and checks after each step that the
// tree adds up (leaves sum to parents, children within their parent, every allocation within
// the fund's total), that no envelope is overdrawn, that each envelope's reserved, committed
// and paid figures are what its ledger says, and that a refused operation changed nothing
// and answered a domain error, never an internal one.
func FuzzEnvelopeOperations(f *testing.F) {
	for _, ops := range envelopeOpSeeds() {
		f.Add(encodeOps(ops...))
	}
	st := openSQLite(f)
	f.Fuzz(func(t *testing.T, data []byte) { runEnvelopeOps(t, st, decodeOps(data)) })
}

// TestEnvelopeOperationSeeds runs the fuzz seeds on PostgreSQL too.
func TestEnvelopeOperationSeeds(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		for i, ops := range envelopeOpSeeds() {
			t.Run(fmt.Sprint(i), func(t *testing.T) { runEnvelopeOps(t, st, ops) })
		}
	})
}

func envelopeOpSeeds() [][]envelopeOp {
	g := models.EnvelopeGuichet
	return [][]envelopeOp{
		// Issue 6: the sibling sum overflowed and passed the parent check.
		{allocate(g, math.MaxInt64)},
		{allocate(g, math.MinInt64), allocate(models.EnvelopeFund, -1), allocate(models.EnvelopeFund, models.MaxCents+1)},
		// A grant's life, and the steps refused along it.
		{{opReserve, reserveOn(g, 0), 500_000}, {opCommit, 0, 0}, {opPay, 0, 0}, {opRelease, 0, 0},
			{opReserve, reserveOn(g, 1), 100}, {opRelease, 1, 0}, {opCommit, 1, 0}, {opPay, 1, 0},
			allocate(g, 500_000), allocate(g, 499_999), {opPay, 2, 0}, {opCommit, 2, 0}, {opRelease, 2, 0}},
		// Only leaves hold money; amounts are positive and bounded.
		{{opReserve, reserveOn(models.EnvelopeAxe2, 2), 1}, {opReserve, reserveOn(models.EnvelopeFund, 3), 1},
			{opReserve, reserveOn(g, 4), -1}, {opReserve, reserveOn(g, 4), 0}, {opReserve, reserveOn(g, 4), math.MaxInt64},
			{opReserve, reserveOn(g, 4), models.MaxCents + 1}, {opReserve, reserveOn(g, 4), models.Euros(6_000_000) + 1}},
		// Near the bound: the fund at its largest, one strand holding almost all of it.
		{allocate(models.EnvelopeFund, models.MaxCents), allocate(models.EnvelopeAxe2, models.MaxCents-models.Euros(64_000_000)),
			allocate(g, models.MaxCents-models.Euros(82_000_000)), allocate(g, models.MaxCents-models.Euros(82_000_000)+1),
			{opReserve, reserveOn(g, 5), models.MaxCents - models.Euros(82_000_000)}, {opCommit, 5, 0},
			allocate(models.EnvelopeAxe1, models.MaxCents), allocate(models.EnvelopeFund, models.MaxCents-1), {opPay, 5, 0}},
		// Above the fund's total, below and above the children.
		{allocate(models.EnvelopeAxe1, models.Euros(88_000_000)+1), allocate(models.EnvelopeAxe2, models.Euros(17_999_999)),
			allocate(models.EnvelopeAxe3, models.Euros(35_000_000)), allocate(models.EnvelopeFund, models.Euros(87_999_999))},
	}
}

// runEnvelopeOps applies ops to the default tree, checking the invariants after each.
func runEnvelopeOps(t *testing.T, st *Store, ops []envelopeOp) {
	ctx := context.Background()
	require.NoError(t, st.db.Exec("DELETE FROM ledger_entries").Error)
	require.NoError(t, st.db.Exec("DELETE FROM envelopes").Error)
	require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	before := checkMoneyInvariants(t, st)
	for i, op := range ops {
		dossier := fmt.Sprintf("d%d", op.target%8)
		var err error
		switch op.kind {
		case opAllocate:
			code := fuzzEnvelopeCodes[int(op.target)%len(fuzzEnvelopeCodes)]
			var e models.Envelope
			if e, err = st.SetAllocation(ctx, code, op.amount); err == nil {
				require.Equal(t, op.amount, e.AllocatedCents)
			}
		case opReserve:
			code := fuzzEnvelopeCodes[int(op.target/8)%len(fuzzEnvelopeCodes)]
			err = st.inTx(ctx, func(tx *gorm.DB) error { return st.reserveTx(tx, dossier, code, op.amount) })
		case opRelease:
			_, err = st.Release(ctx, dossier)
		case opCommit:
			err = st.Commit(ctx, dossier)
		case opPay:
			_, err = st.Pay(ctx, dossier, "VIR-FUZZ")
		}
		if err != nil {
			require.Contains(t, []string{models.EInvalid, models.EConflict, models.ENotFound}, models.ErrorCode(err),
				"step %d %+v: %v", i, op, err)
		}
		after := checkMoneyInvariants(t, st)
		if err != nil {
			require.Equal(t, before, after, "step %d %+v was refused (%v) yet changed something", i, op, err)
		}
		before = after
	}
}

type moneyState struct {
	envelopes []envelopeRow
	ledger    []ledgerRow
}

func moneySnapshot(t *testing.T, st *Store) moneyState {
	t.Helper()
	var s moneyState
	require.NoError(t, st.db.Order("code").Find(&s.envelopes).Error)
	require.NoError(t, st.db.Order("id").Find(&s.ledger).Error)
	return s
}

// checkMoneyInvariants checks the stored tree and ledger, and the tree the store serves.
// It returns the stored state it checked.
func checkMoneyInvariants(t *testing.T, st *Store) moneyState {
	t.Helper()
	s := moneySnapshot(t, st)
	rows := map[string]envelopeRow{}
	children := map[string][]string{}
	var root envelopeRow
	for _, r := range s.envelopes {
		rows[r.Code] = r
		children[r.ParentCode] = append(children[r.ParentCode], r.Code)
		if r.ParentCode == "" {
			root = r
		}
		for _, c := range []models.Cents{r.AllocatedCents, r.ReservedCents, r.CommittedCents, r.PaidCents} {
			require.True(t, models.ValidCents(c), "%s holds %d cents", r.Code, c)
		}
	}
	require.Equal(t, models.EnvelopeFund, root.Code)
	for _, r := range s.envelopes {
		require.LessOrEqual(t, r.AllocatedCents, root.AllocatedCents, "%s within the fund's total", r.Code)
		if len(children[r.Code]) == 0 {
			continue
		}
		require.Zero(t, r.ReservedCents+r.CommittedCents+r.PaidCents, "only leaves hold money: %s", r.Code)
		var sum models.Cents
		for _, c := range children[r.Code] {
			var err error
			sum, err = models.AddCents(sum, rows[c].AllocatedCents)
			require.NoError(t, err)
		}
		require.LessOrEqual(t, sum, r.AllocatedCents, "the children of %s within it", r.Code)
	}

	// The ledger says what each leaf holds: a dossier's grant is reserved, then committed,
	// then paid, or released.
	type holding struct{ reserved, committed, paid models.Cents }
	byDossier := map[string]map[string]ledgerRow{}
	for _, e := range s.ledger {
		if byDossier[e.DossierID] == nil {
			byDossier[e.DossierID] = map[string]ledgerRow{}
		}
		byDossier[e.DossierID][e.Kind] = e
	}
	want := map[string]holding{}
	for dossier, steps := range byDossier {
		reserve, ok := steps[models.LedgerReserve]
		require.True(t, ok, "dossier %s moved money it never reserved", dossier)
		for kind, e := range steps {
			require.Equal(t, reserve.EnvelopeCode, e.EnvelopeCode, "%s of %s", kind, dossier)
			require.Equal(t, reserve.AmountCents, e.AmountCents, "%s of %s", kind, dossier)
		}
		h := want[reserve.EnvelopeCode]
		var err error
		switch _, released := steps[models.LedgerRelease]; {
		case steps[models.LedgerPay].ID != 0:
			require.False(t, released, "dossier %s paid and released", dossier)
			h.paid, err = models.AddCents(h.paid, reserve.AmountCents)
		case steps[models.LedgerCommit].ID != 0:
			require.False(t, released, "dossier %s committed and released", dossier)
			h.committed, err = models.AddCents(h.committed, reserve.AmountCents)
		case !released:
			h.reserved, err = models.AddCents(h.reserved, reserve.AmountCents)
		}
		require.NoError(t, err)
		want[reserve.EnvelopeCode] = h
	}
	for _, r := range s.envelopes {
		require.Equal(t, want[r.Code], holding{r.ReservedCents, r.CommittedCents, r.PaidCents}, "the ledger of %s", r.Code)
	}

	// The tree served: each parent sums its children, and nothing is overdrawn.
	envs, err := st.Envelopes(context.Background())
	require.NoError(t, err)
	served := map[string]models.Envelope{}
	for _, e := range envs {
		served[e.Code] = e
	}
	require.Len(t, served, len(rows))
	for _, e := range envs {
		require.GreaterOrEqual(t, available(t, e), models.Cents(0), "%s overdrawn", e.Code)
		if len(children[e.Code]) == 0 {
			require.Equal(t, rows[e.Code].model(), e, "a leaf is served as stored")
			continue
		}
		var sum holding
		for _, c := range children[e.Code] {
			sum.reserved += served[c].ReservedCents // bounded by the invariants above: no overflow
			sum.committed += served[c].CommittedCents
			sum.paid += served[c].PaidCents
		}
		require.Equal(t, sum, holding{e.ReservedCents, e.CommittedCents, e.PaidCents}, "%s sums its children", e.Code)
	}
	return s
}
