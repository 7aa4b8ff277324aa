package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// seedDemo files a few guichet applications through the API on a fresh database, so a
// newcomer finds a dossier awaiting payment and one awaiting its applicant.
func seedDemo(ctx context.Context, apiURL string, tokens []demoToken, st *store.Store) error {
	existing, err := st.ListDossiers(ctx, store.Visibility{All: true}, store.DossierFilter{Limit: 1})
	if err != nil || len(existing) > 0 {
		return err
	}
	token := func(env string) string {
		for _, t := range tokens {
			if t.env == env {
				return t.token
			}
		}
		return ""
	}
	fc, _ := models.ChecklistFor(models.GuichetFranceConnect)
	apiSpec, _ := models.ChecklistFor(models.GuichetAPI)
	complete := func(spec models.ChecklistSpec, except ...string) map[string]bool {
		m := map[string]bool{}
		for _, item := range spec.Items {
			m[item.Key] = true
		}
		for _, k := range except {
			m[k] = false
		}
		return m
	}
	apps := []struct {
		env string
		app models.GuichetApplication
	}{
		{"APPLICANT", models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 1_240_000, Checklist: complete(fc)}},
		{"APPLICANT_RENNES", models.GuichetApplication{Kind: models.GuichetAPI, APIName: "api_entreprise", ProjectCostCents: 380_000,
			Checklist: complete(apiSpec, "homologation_securite")}},
	}
	for i, a := range apps {
		body, err := json.Marshal(a.app)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL+"/api/v1/guichet/applications", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token(a.env))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("demo-%d", i))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("demo application %d: status %d", i, resp.StatusCode)
		}
	}
	return nil
}
