package models_test

import (
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
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			require.Equal(t, tt.want, models.FormatEuros(tt.cents))
		})
	}
}
