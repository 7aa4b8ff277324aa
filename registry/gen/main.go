// Command gen compacts Etalab's découpage administratif (npm package
// @etalab/decoupage-administratif) into the gzip-compressed JSON registry
// embedded by package registry. Run it through scripts/gen-registry.sh.
package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"

	"github.com/relance/relance/models"
)

// Source records, restricted to the fields the registry keeps.
type (
	srcCommune struct {
		Code        string `json:"code"`
		Nom         string `json:"nom"`
		Type        string `json:"type"`
		Departement string `json:"departement"`
		Region      string `json:"region"`
		Siren       string `json:"siren"`
		Population  int64  `json:"population"`
	}
	srcEPCI struct {
		Code    string `json:"code"`
		Nom     string `json:"nom"`
		Membres []struct {
			Siren string `json:"siren"`
		} `json:"membres"`
	}
	srcDepartement struct {
		Code   string `json:"code"`
		Nom    string `json:"nom"`
		Region string `json:"region"`
	}
	srcRegion struct {
		Code string `json:"code"`
		Nom  string `json:"nom"`
	}
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	src := flag.String("src", "", "data folder of @etalab/decoupage-administratif")
	out := flag.String("out", "", "output file (gzip-compressed JSON)")
	flag.Parse()
	if *src == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*src, *out); err != nil {
		log.Fatal(err)
	}
}

func run(src, out string) error {
	var (
		communes     []srcCommune
		epcis        []srcEPCI
		departements []srcDepartement
		regions      []srcRegion
	)
	for name, v := range map[string]any{
		"communes.json":     &communes,
		"epci.json":         &epcis,
		"departements.json": &departements,
		"regions.json":      &regions,
	} {
		if err := readJSON(filepath.Join(src, name), v); err != nil {
			return err
		}
	}

	list, err := build(communes, epcis, departements, regions)
	if err != nil {
		return err
	}
	data, err := encode(list)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}

	n := map[models.CollectiviteType]int{}
	for _, c := range list {
		n[c.Type]++
	}
	fmt.Fprintf(os.Stderr, "gen: %d régions, %d départements, %d EPCI, %d communes -> %s (%d bytes)\n",
		n[models.TypeRegion], n[models.TypeDepartement], n[models.TypeEPCI], n[models.TypeCommune], out, len(data))
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func build(communes []srcCommune, epcis []srcEPCI, departements []srcDepartement, regions []srcRegion) ([]models.Collectivite, error) {
	depRegion := map[string]string{}
	for _, d := range departements {
		depRegion[d.Code] = d.Region
	}

	var list []models.Collectivite
	bySiren := map[string]srcCommune{}
	depPop := map[string]int64{}
	regPop := map[string]int64{}
	for _, c := range communes {
		// Delegated/associated communes and municipal arrondissements are not
		// separate collectivités, and communes without a SIREN (overseas
		// collectivités) cannot be identified by one.
		if c.Type != "commune-actuelle" || c.Siren == "" {
			continue
		}
		if _, ok := depRegion[c.Departement]; !ok {
			return nil, fmt.Errorf("commune %s: unknown département %q", c.Code, c.Departement)
		}
		bySiren[c.Siren] = c
		depPop[c.Departement] += c.Population
		regPop[c.Region] += c.Population
		list = append(list, models.Collectivite{
			Type:        models.TypeCommune,
			Code:        c.Code,
			Siren:       c.Siren,
			Name:        c.Nom,
			Departement: c.Departement,
			Region:      c.Region,
			Population:  c.Population,
		})
	}

	for _, e := range epcis {
		var members []string
		var pop int64
		popByDep := map[string]int64{}
		for _, m := range e.Membres {
			c, ok := bySiren[m.Siren]
			if !ok {
				continue
			}
			members = append(members, m.Siren)
			pop += c.Population
			popByDep[c.Departement] += c.Population
		}
		if len(members) == 0 {
			return nil, fmt.Errorf("EPCI %s: no known member commune", e.Code)
		}
		slices.Sort(members)
		dep := mainDepartement(popByDep)
		list = append(list, models.Collectivite{
			Type:        models.TypeEPCI,
			Code:        e.Code,
			Siren:       e.Code,
			Name:        e.Nom,
			Departement: dep,
			Region:      depRegion[dep],
			Population:  pop,
			Members:     members,
		})
	}

	// The source also lists overseas collectivités as pseudo départements and
	// régions; having no commune with a SIREN, they are left out.
	for _, d := range departements {
		if pop, ok := depPop[d.Code]; ok {
			list = append(list, models.Collectivite{
				Type:       models.TypeDepartement,
				Code:       d.Code,
				Name:       d.Nom,
				Region:     d.Region,
				Population: pop,
			})
		}
	}
	for _, r := range regions {
		if pop, ok := regPop[r.Code]; ok {
			list = append(list, models.Collectivite{
				Type:       models.TypeRegion,
				Code:       r.Code,
				Name:       r.Nom,
				Population: pop,
			})
		}
	}

	rank := map[models.CollectiviteType]int{
		models.TypeRegion:      0,
		models.TypeDepartement: 1,
		models.TypeEPCI:        2,
		models.TypeCommune:     3,
	}
	slices.SortFunc(list, func(a, b models.Collectivite) int {
		return cmp.Or(cmp.Compare(rank[a.Type], rank[b.Type]), cmp.Compare(a.Code, b.Code))
	})
	return list, nil
}

// mainDepartement returns the département holding most of the population,
// the smallest code winning ties so the result does not depend on map order.
func mainDepartement(popByDep map[string]int64) string {
	best := ""
	for dep, pop := range popByDep {
		if best == "" || pop > popByDep[best] || (pop == popByDep[best] && dep < best) {
			best = dep
		}
	}
	return best
}

// encode returns the gzip-compressed JSON of list. The gzip header carries no
// name nor modification time, so identical input gives identical bytes.
func encode(list []models.Collectivite) ([]byte, error) {
	js, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(js); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
