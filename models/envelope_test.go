package models_test

import (
	"errors"
	"fmt"
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.engaged, tt.e.Engaged())
			require.Equal(t, tt.available, tt.e.AvailableCents())
		})
	}
}

func TestCheckReallocation(t *testing.T) {
	parent := &models.Envelope{Code: "axe2", AllocatedCents: 1_000}
	leaf := models.Envelope{Code: "axe2.guichet", ParentCode: "axe2", AllocatedCents: 400, ReservedCents: 50, CommittedCents: 25, PaidCents: 25} // engaged 100
	tests := []struct {
		name        string
		e           models.Envelope
		newAlloc    models.Cents
		children    models.Cents
		parent      *models.Envelope
		siblings    models.Cents
		code        string // "" means allowed
		wantField   string
		msgContains string
	}{
		{"valid increase", leaf, 500, 0, parent, 500, "", "", ""},
		{"valid decrease", leaf, 100, 0, parent, 0, "", "", ""},
		{"valid root", models.Envelope{Code: "fund"}, 5_000, 4_000, nil, 0, "", "", ""},
		{"valid to zero", models.Envelope{Code: "x"}, 0, 0, parent, 1_000, "", "", ""},
		{"exactly fills parent", leaf, 600, 0, parent, 400, "", "", ""},
		{"exactly children", models.Envelope{Code: "axe2"}, 700, 700, nil, 0, "", "", ""},
		{"negative", leaf, -1, 0, parent, 0, models.EInvalid, "allocated_cents", ""},
		{"negative root", models.Envelope{Code: "fund"}, -100, 0, nil, 0, models.EInvalid, "allocated_cents", ""},
		{"below engaged", leaf, 99, 0, parent, 0, models.EConflict, "", "1,00 € engaged"},
		{"below children", models.Envelope{Code: "axe2"}, 699, 700, nil, 0, models.EConflict, "", "7,00 € allocated to its sub-envelopes"},
		{"siblings plus new exceed parent", leaf, 601, 0, parent, 400, models.EConflict, "", "would exceed its parent axe2"},
		{"siblings alone exceed parent", models.Envelope{Code: "x"}, 0, 0, &models.Envelope{Code: "p", AllocatedCents: 10}, 11, models.EConflict, "", "exceed its parent p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := models.CheckReallocation(tt.e, tt.newAlloc, tt.children, tt.parent, tt.siblings)
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			var e *models.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.code, e.Code)
			if tt.wantField != "" {
				require.Contains(t, e.Fields, tt.wantField)
				require.Len(t, e.Fields, 1)
			} else {
				require.Empty(t, e.Fields)
			}
			require.Contains(t, e.Message, tt.msgContains)
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
		require.Zero(t, e.Engaged(), e.Code)
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
	for _, e := range envs[1:] {
		p := byCode[e.ParentCode]
		siblings := sums[e.ParentCode] - e.AllocatedCents
		require.NoError(t, models.CheckReallocation(e, e.AllocatedCents, sums[e.Code], &p, siblings), e.Code)
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
