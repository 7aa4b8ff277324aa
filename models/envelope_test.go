package models_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestEnvelopeEngagedAvailable(t *testing.T) {
	tests := []struct {
		name               string
		e                  models.Envelope
		engaged, available models.Cents
	}{
		{"empty", models.Envelope{}, 0, 0},
		{"untouched", models.Envelope{AllocatedCents: 1_000}, 0, 1_000},
		{"reserved", models.Envelope{AllocatedCents: 1_000, ReservedCents: 100}, 100, 900},
		{"all movements", models.Envelope{AllocatedCents: 1_000, ReservedCents: 100, CommittedCents: 200, PaidCents: 300}, 600, 400},
		{"exhausted", models.Envelope{AllocatedCents: 600, ReservedCents: 100, CommittedCents: 200, PaidCents: 300}, 600, 0},
		{"overdrawn", models.Envelope{AllocatedCents: 500, PaidCents: 600}, 600, -100},
		{"at the bound", models.Envelope{AllocatedCents: models.MaxCents, ReservedCents: models.MaxCents, CommittedCents: models.MaxCents, PaidCents: models.MaxCents},
			3 * models.MaxCents, -2 * models.MaxCents},
		{"largest engaged", models.Envelope{AllocatedCents: math.MaxInt64, ReservedCents: math.MaxInt64 - 2, CommittedCents: 1, PaidCents: 1}, math.MaxInt64, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engaged, err := tt.e.Engaged()
			require.NoError(t, err)
			require.Equal(t, tt.engaged, engaged)
			available, err := tt.e.AvailableCents()
			require.NoError(t, err)
			require.Equal(t, tt.available, available)
		})
	}

	// Figures too large to add up are an error, never a wrapped (negative) total.
	for name, e := range map[string]models.Envelope{
		"engaged wraps":         {ReservedCents: math.MaxInt64, CommittedCents: 1},
		"engaged wraps at paid": {ReservedCents: math.MaxInt64 / 2, CommittedCents: math.MaxInt64 / 2, PaidCents: 2},
		"available wraps":       {AllocatedCents: math.MinInt64, PaidCents: 1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.AvailableCents()
			require.ErrorIs(t, err, models.ErrCentsOverflow)
			require.Equal(t, models.EConflict, models.ErrorCode(err))
		})
	}
}

// reallocationTree is a small fund: fund 100 € → axe1 20 €, axe2 10 € → guichet 4 € (1 €
// engaged) and other 5 €.
func reallocationTree() []models.Envelope {
	return []models.Envelope{
		{Code: "axe1", ParentCode: "fund", AllocatedCents: 2_000},
		{Code: "axe2", ParentCode: "fund", AllocatedCents: 1_000},
		{Code: "axe2.guichet", ParentCode: "axe2", AllocatedCents: 400, ReservedCents: 50, CommittedCents: 25, PaidCents: 25},
		{Code: "axe2.other", ParentCode: "axe2", AllocatedCents: 500},
		{Code: "fund", AllocatedCents: 10_000},
	}
}

func TestCheckReallocation(t *testing.T) {
	tests := []struct {
		name        string
		tweak       func(tree []models.Envelope) // corrupts the stored tree, for figures stored before they were bounded
		code        string
		newAlloc    models.Cents
		errCode     string // "" means allowed
		wantField   string
		msgContains string
	}{
		{"valid increase", nil, "axe2.guichet", 450, "", "", ""},
		{"exactly fills parent", nil, "axe2.guichet", 500, "", "", ""},
		{"valid decrease", nil, "axe2.guichet", 100, "", "", ""},
		{"exactly engaged", nil, "axe2.guichet", 100, "", "", ""},
		{"valid root", nil, "fund", 5_000, "", "", ""},
		{"root exactly its children", nil, "fund", 3_000, "", "", ""},
		{"root at the bound", nil, "fund", models.MaxCents, "", "", ""},
		{"parent exactly its children", nil, "axe2", 900, "", "", ""},
		{"valid to zero", nil, "axe2.other", 0, "", "", ""},
		{"unknown envelope", nil, "axe9", 1, models.ENotFound, "", `no envelope "axe9"`},
		{"negative", nil, "axe2.guichet", -1, models.EInvalid, "allocated_cents", "between 0 and 10000000000000 cents"},
		{"negative root", nil, "fund", -100, models.EInvalid, "allocated_cents", ""},
		{"the overflow of issue 6", nil, "axe2.guichet", math.MaxInt64, models.EInvalid, "allocated_cents", "100 000 000 000,00 €"},
		{"smallest int64", nil, "axe2.guichet", math.MinInt64, models.EInvalid, "allocated_cents", ""},
		{"root above the bound", nil, "fund", models.MaxCents + 1, models.EInvalid, "allocated_cents", ""},
		{"above the fund's total", nil, "axe2", 10_001, models.EInvalid, "allocated_cents", "must not exceed the fund's total, 100,00 €"},
		{"a leaf above the fund's total", nil, "axe2.guichet", 10_001, models.EInvalid, "allocated_cents", "fund's total"},
		{"exactly the fund's total, but siblings", nil, "axe2", 10_000, models.EConflict, "", "would exceed its parent fund"},
		{"below engaged", nil, "axe2.guichet", 99, models.EConflict, "", "1,00 € engaged"},
		{"root below children", nil, "fund", 2_999, models.EConflict, "", "30,00 € allocated to its sub-envelopes"},
		{"parent below children", nil, "axe2", 899, models.EConflict, "", "9,00 € allocated to its sub-envelopes"},
		{"siblings plus new exceed parent", nil, "axe2.guichet", 501, models.EConflict, "", "would exceed its parent axe2"},
		{"siblings alone exceed parent", func(tree []models.Envelope) { tree[2].AllocatedCents = 1_001 }, "axe2.other", 501, models.EConflict, "", "exceed its parent axe2"},
		{"a decrease mends a parent exceeded", func(tree []models.Envelope) { tree[2].AllocatedCents = 1_001 }, "axe2.other", 400, "", "", ""},
		{"a decrease mends a stored sibling near int64", func(tree []models.Envelope) { tree[3].AllocatedCents = math.MaxInt64 }, "axe2.other", 500, "", "", ""},
		{"stored sibling near int64", func(tree []models.Envelope) { tree[3].AllocatedCents = math.MaxInt64 - 100 }, "axe2.guichet", 401,
			models.EConflict, "", "too large to add up"},
		{"stored sibling plus new past int64", func(tree []models.Envelope) { tree[0].AllocatedCents = math.MaxInt64 - 1_000 },
			"axe2", 1_001, models.EConflict, "", "too large to add up"}, // wrapped, the sum would be negative and pass
		{"stored children summing past int64", func(tree []models.Envelope) { tree[2].AllocatedCents, tree[3].AllocatedCents = math.MaxInt64, 1 },
			"axe2", 1_000, models.EConflict, "", "too large to add up"},
		{"stored engaged past int64", func(tree []models.Envelope) { tree[2].ReservedCents, tree[2].PaidCents = math.MaxInt64, 1 },
			"axe2.guichet", 400, models.EConflict, "", "too large to add up"},
		{"a corrupted stored fund does not widen the bound", func(tree []models.Envelope) { tree[4].AllocatedCents = math.MaxInt64 },
			"axe1", models.MaxCents + 1, models.EInvalid, "allocated_cents", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := reallocationTree()
			if tt.tweak != nil {
				tt.tweak(tree)
			}
			before := slices.Clone(tree)
			err := models.CheckReallocation(tree, tt.code, tt.newAlloc)
			require.Equal(t, before, tree, "a check changes nothing")
			if tt.errCode == "" {
				require.NoError(t, err)
				return
			}
			var e *models.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.errCode, e.Code)
			if tt.wantField != "" {
				require.Contains(t, e.Fields, tt.wantField)
				require.Len(t, e.Fields, 1)
				require.Contains(t, e.Fields[tt.wantField], tt.msgContains)
			} else {
				require.Empty(t, e.Fields)
				require.Contains(t, e.Message, tt.msgContains)
			}
		})
	}
}

func TestRollUp(t *testing.T) {
	tree := []models.Envelope{
		{Code: "a", ParentCode: "root", AllocatedCents: 60},
		{Code: "a.x", ParentCode: "a", AllocatedCents: 30, ReservedCents: 1, CommittedCents: 2, PaidCents: 3},
		{Code: "a.y", ParentCode: "a", AllocatedCents: 30, ReservedCents: 10, CommittedCents: 20, PaidCents: 0},
		{Code: "b", ParentCode: "root", AllocatedCents: 40, PaidCents: 7},
		{Code: "root", AllocatedCents: 100},
	}
	before := slices.Clone(tree)
	got, err := models.RollUp(tree)
	require.NoError(t, err)
	require.Equal(t, before, tree, "the input is left as it was")
	codes := make([]string, len(got))
	for i, e := range got {
		codes[i] = e.Code
	}
	require.Equal(t, []string{"a", "a.x", "a.y", "b", "root"}, codes, "the order is kept")
	require.Equal(t, models.Envelope{Code: "a", ParentCode: "root", AllocatedCents: 60, ReservedCents: 11, CommittedCents: 22, PaidCents: 3}, got[0])
	require.Equal(t, tree[1], got[1], "a leaf keeps its own figures")
	require.Equal(t, models.Envelope{Code: "root", AllocatedCents: 100, ReservedCents: 11, CommittedCents: 22, PaidCents: 10}, got[4],
		"the root sums its grandchildren once")

	for name, tweak := range map[string]func([]models.Envelope){
		"reserved": func(tree []models.Envelope) { tree[1].ReservedCents = math.MaxInt64 },
		"committed": func(tree []models.Envelope) {
			tree[1].CommittedCents, tree[3].CommittedCents = math.MaxInt64/2+1, math.MaxInt64/2+1
		},
		"paid at the root": func(tree []models.Envelope) { tree[3].PaidCents = math.MaxInt64 - 2 },
	} {
		t.Run(name, func(t *testing.T) {
			corrupt := slices.Clone(tree)
			tweak(corrupt)
			_, err := models.RollUp(corrupt)
			require.ErrorIs(t, err, models.ErrCentsOverflow)
		})
	}
}

func TestDefaultEnvelopes(t *testing.T) {
	envs := models.DefaultEnvelopes()
	byCode := map[string]models.Envelope{}
	index := map[string]int{}
	for i, e := range envs {
		_, dup := byCode[e.Code]
		require.False(t, dup, "duplicate code %s", e.Code)
		require.NotEmpty(t, e.Label, e.Code)
		engaged, err := e.Engaged()
		require.NoError(t, err)
		require.Zero(t, engaged, e.Code)
		byCode[e.Code] = e
		index[e.Code] = i
	}

	// Exactly one root, the fund, holding 88 M€.
	var roots []string
	for _, e := range envs {
		if e.ParentCode == "" {
			roots = append(roots, e.Code)
		}
	}
	require.Equal(t, []string{models.EnvelopeFund}, roots)
	require.Equal(t, models.Euros(88_000_000), byCode[models.EnvelopeFund].AllocatedCents)
	require.Equal(t, "88 000 000,00 €", models.FormatEuros(byCode[models.EnvelopeFund].AllocatedCents))

	// Every parent exists and comes before its child; children fit in their parent.
	sums := map[string]models.Cents{}
	for i, e := range envs {
		if e.ParentCode == "" {
			continue
		}
		p, ok := byCode[e.ParentCode]
		require.True(t, ok, "parent %s of %s", e.ParentCode, e.Code)
		require.Less(t, index[p.Code], i, "parent %s must come before %s", p.Code, e.Code)
		sums[e.ParentCode] += e.AllocatedCents
	}
	for code, sum := range sums {
		require.LessOrEqual(t, sum, byCode[code].AllocatedCents, "children of %s", code)
	}

	tests := []struct {
		code, parent string
		euros        int64
	}{
		{models.EnvelopeAxe1, models.EnvelopeFund, 30_000_000},
		{models.EnvelopeAxe2, models.EnvelopeFund, 24_000_000},
		{models.EnvelopeAxe3, models.EnvelopeFund, 34_000_000},
		{models.EnvelopeGuichet, models.EnvelopeAxe2, 6_000_000},
		{models.EnvelopeAxe3Lab, models.EnvelopeAxe3, 4_000_000},
	}
	for _, tt := range tests {
		e, ok := byCode[tt.code]
		require.True(t, ok, tt.code)
		require.Equal(t, tt.parent, e.ParentCode, tt.code)
		require.Equal(t, models.Euros(tt.euros), e.AllocatedCents, tt.code)
	}
	// The three axes use the whole fund.
	require.Equal(t, byCode[models.EnvelopeFund].AllocatedCents, sums[models.EnvelopeFund])

	// Each call returns a fresh tree.
	envs[0].AllocatedCents = 0
	require.Equal(t, models.Euros(88_000_000), models.DefaultEnvelopes()[0].AllocatedCents)

	// The default tree passes its own reallocation check for every node.
	for _, e := range models.DefaultEnvelopes() {
		require.NoError(t, models.CheckReallocation(models.DefaultEnvelopes(), e.Code, e.AllocatedCents), e.Code)
	}
}

// The error helpers of errors.go.
func TestErrorCodeAndMessage(t *testing.T) {
	conflict := models.Errorf(models.EConflict, "envelope %s is short", "axe2")
	tests := []struct {
		name string
		err  error
		code string
		msg  string
	}{
		{"*Error", conflict, models.EConflict, "envelope axe2 is short"},
		{"wrapped *Error", fmt.Errorf("x: %w", conflict), models.EConflict, "envelope axe2 is short"},
		{"doubly wrapped", fmt.Errorf("y: %w", fmt.Errorf("x: %w", conflict)), models.EConflict, "envelope axe2 is short"},
		{"sentinel wrapped", fmt.Errorf("reserve: %w", models.ErrEnvelopeExhausted), models.EConflict, "the envelope cannot cover this amount"},
		{"joined", errors.Join(errors.New("plain"), conflict), models.EConflict, "envelope axe2 is short"},
		{"plain error", errors.New("disk on fire"), models.EInternal, "internal error"},
		{"wrapped plain", fmt.Errorf("x: %w", errors.New("boom")), models.EInternal, "internal error"},
		{"nil", nil, "", "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.code, models.ErrorCode(tt.err))
			require.Equal(t, tt.msg, models.ErrorMessage(tt.err))
		})
	}
	require.Equal(t, "envelope axe2 is short", conflict.Error())
}

func TestFieldErrors(t *testing.T) {
	one := models.FieldErrors(map[string]string{"reference": "must be 3 to 64 characters"})
	require.Equal(t, models.EInvalid, one.Code)
	require.Equal(t, "reference: must be 3 to 64 characters", one.Message)
	require.Equal(t, one.Message, one.Error())
	require.Equal(t, map[string]string{"reference": "must be 3 to 64 characters"}, one.Fields)

	two := models.FieldErrors(map[string]string{"a": "x", "b": "y"})
	require.Equal(t, models.EInvalid, two.Code)
	require.Equal(t, "invalid input", two.Message)
	require.Len(t, two.Fields, 2)

	none := models.FieldErrors(map[string]string{})
	require.Equal(t, "invalid input", none.Message)
	require.Equal(t, models.EInvalid, models.ErrorCode(fmt.Errorf("w: %w", two)))
}

// FuzzReallocation applies sequences of reallocations with arbitrary amounts to the default
// tree (with money engaged on two leaves) and checks each decision against the rules
// computed in exact arithmetic, and that the tree stays consistent and adds up.
func FuzzReallocation(f *testing.F) {
	f.Add([]byte{3, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) // issue 6: axe2.guichet ← int64's max
	f.Add([]byte{0, 0, 0, 0x09, 0x18, 0x4e, 0x72, 0xa0, 0x00, 2, 0, 0, 0x09, 0x18, 0x4e, 0x72, 0xa0, 0x00})
	f.Add([]byte{0, 0x80, 0, 0, 0, 0, 0, 0, 0, 9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		tree := models.DefaultEnvelopes()
		tree[3].ReservedCents = models.Euros(1_000_000) // axe2.guichet
		tree[9].PaidCents = models.Euros(500_000)       // axe3.lab
		for ; len(data) >= 9; data = data[9:] {
			i := int(data[0]) % len(tree)
			amount := models.Cents(binary.BigEndian.Uint64(data[1:9]))
			err := models.CheckReallocation(tree, tree[i].Code, amount)
			want := allowedReallocation(tree, i, amount)
			require.Equal(t, want == "", err == nil, "%s ← %d: want %q, got %v", tree[i].Code, amount, want, err)
			if err != nil {
				require.Contains(t, []string{models.EInvalid, models.EConflict}, models.ErrorCode(err))
				continue
			}
			tree[i].AllocatedCents = amount
			rolled, err := models.RollUp(tree)
			require.NoError(t, err)
			for _, e := range rolled {
				require.True(t, models.ValidCents(e.AllocatedCents))
				a, err := e.AvailableCents()
				require.NoError(t, err)
				require.GreaterOrEqual(t, a, models.Cents(0), e.Code)
			}
		}
	})
}

// allowedReallocation says, in exact arithmetic, why tree[i] may not be given amount ("" if it may).
func allowedReallocation(tree []models.Envelope, i int, amount models.Cents) string {
	e := tree[i]
	var root models.Envelope
	children, siblings := new(big.Int), new(big.Int)
	for _, x := range tree {
		switch {
		case x.ParentCode == "":
			root = x
		case x.ParentCode == e.Code:
			children.Add(children, bigCents(x.AllocatedCents))
		case x.ParentCode == e.ParentCode && x.Code != e.Code:
			siblings.Add(siblings, bigCents(x.AllocatedCents))
		}
	}
	a := bigCents(amount)
	engaged := new(big.Int).Add(bigCents(e.ReservedCents), bigCents(e.CommittedCents))
	engaged.Add(engaged, bigCents(e.PaidCents))
	switch {
	case amount < 0 || amount > models.MaxCents:
		return "out of range"
	case e.ParentCode != "" && amount > root.AllocatedCents:
		return "above the fund's total"
	case a.Cmp(engaged) < 0:
		return "below engaged"
	case a.Cmp(children) < 0:
		return "below children"
	}
	for _, p := range tree {
		if p.Code == e.ParentCode && amount > e.AllocatedCents && new(big.Int).Add(siblings, a).Cmp(bigCents(p.AllocatedCents)) > 0 {
			return "above the parent"
		}
	}
	return ""
}

// bigCents is an amount in exact arithmetic.
func bigCents(c models.Cents) *big.Int { return big.NewInt(int64(c)) }
