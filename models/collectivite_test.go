package models_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestValidSiren(t *testing.T) {
	tests := []struct {
		name  string
		siren string
		valid bool
	}{
		{"Paris", "217500016", true},
		{"Rennes", "213502388", true},
		{"Métropole de Lyon", "200046977", true},
		{"all zeros passes Luhn", "000000000", true},
		{"bad check digit", "217500017", false},
		{"transposed digits", "271500016", false},
		{"eight digits", "12345678", false},
		{"ten digits", "2175000160", false},
		{"letter", "21750001a", false},
		{"spaces", "217 500 016", false},
		{"sign", "-21750001", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.valid, models.ValidSiren(tt.siren))
		})
	}
}

func TestCollectiviteTypeValid(t *testing.T) {
	tests := []struct {
		t     models.CollectiviteType
		valid bool
	}{
		{models.TypeCommune, true},
		{models.TypeEPCI, true},
		{models.TypeDepartement, true},
		{models.TypeRegion, true},
		{models.TypeStructure, true},
		{"", false},
		{"Commune", false},
		{"metropole", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.t), func(t *testing.T) {
			require.Equal(t, tt.valid, tt.t.Valid())
		})
	}
}
