// Package registry embeds the official registry of French collectivités
// (communes, EPCI, départements, régions), compacted from Etalab's découpage
// administratif by scripts/gen-registry.sh.
package registry

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/relance/relance/models"
)

// Source names the upstream data set the embedded registry was built from.
const Source = "@etalab/decoupage-administratif 6.0.0"

//go:embed data/collectivites.json.gz
var data []byte

// Load decodes the embedded registry, sorted by type (région, département,
// EPCI, commune) then code. A département belongs to itself: its Departement is its
// code, so a dossier it files is scoped to it. Each call returns a fresh slice the caller owns.
func Load() ([]models.Collectivite, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	defer zr.Close()
	var list []models.Collectivite
	if err := json.NewDecoder(zr).Decode(&list); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	for i := range list {
		if list[i].Type == models.TypeDepartement {
			list[i].Departement = list[i].Code
		}
	}
	return list, nil
}
