package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// seedDemo files demo dossiers through the API on a fresh database, so a newcomer finds
// work at every stage: a guichet dossier awaiting payment and one awaiting its applicant;
// an open call for projects with an application in preselection, one asked for more
// information, and one before the jury with the chair's vote cast; and Axe 3 in Bretagne.
func seedDemo(ctx context.Context, apiURL string, tokens []demoToken, st *store.Store) error {
	// Any dossier at all, read as an administrator would.
	admin := models.Principal{Subject: "demo", Roles: []models.Role{models.RoleAdmin}}
	existing, err := st.ListDossiers(ctx, admin, store.DossierFilter{Limit: 1})
	if err != nil || len(existing) > 0 {
		return err
	}
	c := demoClient{ctx: ctx, url: apiURL, tokens: tokens}
	if err := c.guichet(); err != nil {
		return err
	}
	if err := c.callForProjects(); err != nil {
		return err
	}
	return c.prefectoral()
}

// demoClient speaks to the API as the demo's people.
type demoClient struct {
	ctx    context.Context
	url    string
	tokens []demoToken
}

func (c demoClient) do(who, method, path string, body, out any) error {
	var rd *bytes.Reader
	if body == nil {
		rd = bytes.NewReader(nil)
	} else {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(c.ctx, method, c.url+path, rd)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(c.tokens, func(t demoToken) bool { return t.env == who })
	req.Header.Set("Authorization", "Bearer "+c.tokens[i].token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("demo: %s %s as %s: status %d", method, path, who, resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// waitFor polls a dossier until it reaches status, and returns it with its tasks.
func (c demoClient) waitFor(who, id string, status models.Status) (demoDossier, error) {
	var d demoDossier
	for range 200 {
		if err := c.do(who, http.MethodGet, "/api/v1/dossiers/"+id, nil, &d); err != nil {
			return d, err
		}
		if d.Status == status {
			return d, nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	return d, fmt.Errorf("demo: dossier %s stayed %s, not %s", id, d.Status, status)
}

type demoDossier struct {
	models.Dossier
	Tasks []models.Task `json:"tasks"`
}

func (d demoDossier) openTask(typ models.TaskType, assignee string) string {
	for _, t := range d.Tasks {
		if t.Type == typ && t.Status == models.TaskOpen && t.Assignee == assignee {
			return t.ID
		}
	}
	return ""
}

func (c demoClient) guichet() error {
	checklist := func(kind models.GuichetKind, except ...string) map[string]bool {
		spec, _ := models.ChecklistFor(kind)
		m := map[string]bool{}
		for _, item := range spec.Items {
			m[item.Key] = !slices.Contains(except, item.Key)
		}
		return m
	}
	if err := c.do("APPLICANT", http.MethodPost, "/api/v1/guichet/applications",
		models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 1_240_000, Checklist: checklist(models.GuichetFranceConnect)}, nil); err != nil {
		return err
	}
	return c.do("APPLICANT_RENNES", http.MethodPost, "/api/v1/guichet/applications",
		models.GuichetApplication{Kind: models.GuichetAPI, APIName: "api_entreprise", ProjectCostCents: 380_000,
			Checklist: checklist(models.GuichetAPI, "homologation_securite")}, nil)
}

func (c demoClient) callForProjects() error {
	now := time.Now().UTC()
	var call models.Call
	if err := c.do("ADMIN", http.MethodPost, "/api/v1/calls", map[string]any{
		"strand": models.StrandDonnees, "round": 1, "title": "Cycle de vie de la donnée — première vague",
		"opens_at": now.Add(-24 * time.Hour), "closes_at": now.Add(45 * 24 * time.Hour),
		"jury": []models.JuryMember{{Subject: "presidente.dinum", Name: "Présidente du jury (DINUM)", State: true},
			{Subject: "jure.amf", Name: "Juré — AMF"}, {Subject: "jure.adf", Name: "Juré — ADF"}},
		"chair": "presidente.dinum", "quorum": 2,
	}, &call); err != nil {
		return err
	}
	apply := func(who, title string, requested models.Cents) (string, error) {
		var d models.Dossier
		err := c.do(who, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", models.AAPApplication{
			Title: title, Summary: "Ouvrir les données des services municipaux et les exposer par API aux partenaires du territoire.",
			StrandFields:      map[string]string{"datasets": "budget, équipements, mobilités", "data_governance": "comité de la donnée et administrateur des données"},
			EligibleCostCents: requested * 2, RequestedCents: requested}, &d)
		return d.ID, err
	}
	if _, err := apply("APPLICANT", "Paris Data — API des équipements publics", 45_000_000); err != nil {
		return err
	}
	lyon, err := apply("APPLICANT_LYON", "Plateforme de données de la mobilité lyonnaise", 18_000_000)
	if err != nil {
		return err
	}
	marseille, err := apply("APPLICANT_MARSEILLE", "Marseille, données ouvertes du littoral", 30_000_000)
	if err != nil {
		return err
	}
	complete := func(who, task, outcome, comment string, data any) error {
		return c.do(who, http.MethodPost, "/api/v1/tasks/"+task+"/complete", map[string]any{"outcome": outcome, "comment": comment, "data": data}, nil)
	}
	d, err := c.waitFor("INSTRUCTOR", lyon, models.StatusPreselection)
	if err != nil {
		return err
	}
	if err := complete("INSTRUCTOR", d.openTask(models.TaskPreselection, ""), "request_info", "Merci de préciser le plan de financement pluriannuel.", nil); err != nil {
		return err
	}
	if d, err = c.waitFor("INSTRUCTOR", marseille, models.StatusPreselection); err != nil {
		return err
	}
	if err := complete("INSTRUCTOR", d.openTask(models.TaskPreselection, ""), "preselect", "Projet mûr, partenaires engagés.", nil); err != nil {
		return err
	}
	if _, err := c.waitFor("INSTRUCTOR", marseille, models.StatusPreselected); err != nil {
		return err
	}
	if err := c.do("ADMIN", http.MethodPost, "/api/v1/calls/"+call.ID+"/jury", nil, nil); err != nil {
		return err
	}
	if d, err = c.waitFor("INSTRUCTOR", marseille, models.StatusJury); err != nil {
		return err
	}
	return complete("JURY_CHAIR", d.openTask(models.TaskJuryDecision, "presidente.dinum"), "grant", "Intérêt fort pour le territoire.",
		map[string]any{"amount_cents": 25_000_000})
}
