package models_test

import (
	"math"
	"math/big"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestEuros(t *testing.T) {
	require.Equal(t, models.Cents(0), models.Euros(0))
	require.Equal(t, models.Cents(500_000), models.Euros(5_000))
	require.Equal(t, models.Cents(8_800_000_000), models.Euros(88_000_000))
	require.Equal(t, models.Cents(-100), models.Euros(-1))
}

func TestFormatEuros(t *testing.T) {
	tests := []struct {
		cents models.Cents
		want  string
	}{
		{0, "0,00 €"},
		{5, "0,05 €"},
		{10, "0,10 €"},
		{99, "0,99 €"},
		{100, "1,00 €"},
		{12_345, "123,45 €"},
		{99_999, "999,99 €"},
		{100_000, "1 000,00 €"},
		{500_000, "5 000,00 €"},
		{12_345_678, "123 456,78 €"},
		{100_000_000, "1 000 000,00 €"},
		{8_800_000_000, "88 000 000,00 €"},
		{-5, "-0,05 €"},
		{-100, "-1,00 €"},
		{-500_000, "-5 000,00 €"},
		{-12_345_678, "-123 456,78 €"},
		{models.MaxCents, "100 000 000 000,00 €"},
		{math.MaxInt64, "92 233 720 368 547 758,07 €"},
		{math.MinInt64, "-92 233 720 368 547 758,08 €"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			require.Equal(t, tt.want, models.FormatEuros(tt.cents))
		})
	}
}

func TestValidCents(t *testing.T) {
	for _, c := range []models.Cents{0, 1, 500_000, models.Euros(88_000_000), models.MaxCents} {
		require.True(t, models.ValidCents(c), c)
	}
	for _, c := range []models.Cents{-1, math.MinInt64, models.MaxCents + 1, math.MaxInt64} {
		require.False(t, models.ValidCents(c), c)
	}
	require.Equal(t, "must be between 0 and 10000000000000 cents (100 000 000 000,00 €)", models.CentsRange)
	// The bound leaves room for sums: 922,337 maximal amounts add up without overflow.
	sum, err := models.SumCents(slices.Repeat([]models.Cents{models.MaxCents}, 922_337)...)
	require.NoError(t, err)
	require.Equal(t, 922_337*models.MaxCents, sum)
	_, err = models.SumCents(slices.Repeat([]models.Cents{models.MaxCents}, 922_338)...)
	require.ErrorIs(t, err, models.ErrCentsOverflow)
}

func TestCheckedArithmetic(t *testing.T) {
	const maxC, minC = models.Cents(math.MaxInt64), models.Cents(math.MinInt64)
	tests := []struct {
		a, b       models.Cents
		sum, diff  models.Cents
		sumOK, dOK bool
	}{
		{1, 2, 3, -1, true, true},
		{0, 0, 0, 0, true, true},
		{maxC, 0, maxC, maxC, true, true},
		{maxC, 1, 0, maxC - 1, false, true},
		{maxC, -1, maxC - 1, 0, true, false},
		{maxC - 1, 1, maxC, maxC - 2, true, true},
		{minC, -1, 0, minC + 1, false, true},
		{minC, 1, minC + 1, 0, true, false},
		{minC, minC, 0, 0, false, true},
		{maxC, maxC, 0, 0, false, true},
		{maxC, minC, -1, 0, true, false},
		{0, minC, minC, 0, true, false},
		{-1, minC, 0, maxC, false, true},
		{models.MaxCents, models.MaxCents, 2 * models.MaxCents, 0, true, true},
	}
	for _, tt := range tests {
		sum, err := models.AddCents(tt.a, tt.b)
		if tt.sumOK {
			require.NoError(t, err, "%d + %d", tt.a, tt.b)
			require.Equal(t, tt.sum, sum, "%d + %d", tt.a, tt.b)
		} else {
			require.ErrorIs(t, err, models.ErrCentsOverflow, "%d + %d", tt.a, tt.b)
		}
		diff, err := models.SubCents(tt.a, tt.b)
		if tt.dOK {
			require.NoError(t, err, "%d - %d", tt.a, tt.b)
			require.Equal(t, tt.diff, diff, "%d - %d", tt.a, tt.b)
		} else {
			require.ErrorIs(t, err, models.ErrCentsOverflow, "%d - %d", tt.a, tt.b)
		}
	}
	sum, err := models.SumCents()
	require.NoError(t, err)
	require.Zero(t, sum)
	_, err = models.SumCents(1_800_000_000, math.MaxInt64) // the sibling sum of issue 6
	require.ErrorIs(t, err, models.ErrCentsOverflow)
	require.Equal(t, models.EConflict, models.ErrorCode(err))
}

// FuzzCheckedArithmetic compares the checked operations with big-integer arithmetic.
func FuzzCheckedArithmetic(f *testing.F) {
	f.Add(int64(math.MaxInt64), int64(1))
	f.Add(int64(math.MinInt64), int64(-1))
	f.Add(int64(1_800_000_000), int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, a, b int64) {
		exactSum := new(big.Int).Add(big.NewInt(a), big.NewInt(b))
		sum, err := models.AddCents(models.Cents(a), models.Cents(b))
		if exactSum.IsInt64() {
			require.NoError(t, err)
			require.Equal(t, models.Cents(exactSum.Int64()), sum)
		} else {
			require.ErrorIs(t, err, models.ErrCentsOverflow)
		}
		exactDiff := new(big.Int).Sub(big.NewInt(a), big.NewInt(b))
		diff, err := models.SubCents(models.Cents(a), models.Cents(b))
		if exactDiff.IsInt64() {
			require.NoError(t, err)
			require.Equal(t, models.Cents(exactDiff.Int64()), diff)
		} else {
			require.ErrorIs(t, err, models.ErrCentsOverflow)
		}
	})
}

func TestCentsDecimal(t *testing.T) {
	for c, want := range map[models.Cents]string{0: "0.00", 5: "0.05", 124050: "1240.50", -5: "-0.05", -124050: "-1240.50",
		math.MaxInt64: "92233720368547758.07", math.MinInt64: "-92233720368547758.08"} {
		require.Equal(t, want, c.Decimal(), "%d", int64(c))
	}
}
