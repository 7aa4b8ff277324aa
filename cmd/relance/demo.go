package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/relance/relance/apiclient"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// seedDemo files demo dossiers through the API on a fresh database, so a newcomer finds
// work at every stage: a guichet dossier awaiting payment and one awaiting its applicant;
// an open call for projects with an application in preselection, one asked for more
// information, and one before the jury with the chair's vote cast; Axe 3 in Bretagne; and
// two Axe 1 campaigns, one in its vote and one whose selected service is in the Store.
func seedDemo(ctx context.Context, apiURL string, tokens []demoToken, st *store.Store) error {
	// Any dossier at all, read as an administrator would.
	admin := models.Principal{Subject: "demo", Roles: []models.Role{models.RoleAdmin}}
	existing, err := st.ListDossiers(ctx, admin, store.DossierFilter{Limit: 1})
	if err != nil || len(existing) > 0 {
		return err
	}
	c := newDemoClient(ctx, apiURL, tokens)
	if err := c.guichet(); err != nil {
		return err
	}
	if err := c.callForProjects(); err != nil {
		return err
	}
	if err := c.prefectoral(); err != nil {
		return err
	}
	return c.coConstruction()
}

// demoClient speaks to the API as the demo's people, by their environment variable.
type demoClient struct {
	ctx context.Context
	as  map[string]*apiclient.Client
}

func newDemoClient(ctx context.Context, apiURL string, tokens []demoToken) demoClient {
	c := demoClient{ctx: ctx, as: map[string]*apiclient.Client{}}
	for _, t := range tokens {
		c.as[t.env] = apiclient.New(apiURL, t.token)
	}
	return c
}

func (c demoClient) do(who, method, path string, body, out any) error {
	if err := c.as[who].Call(c.ctx, method, path, body, out); err != nil {
		return fmt.Errorf("demo: as %s: %w", who, err)
	}
	return nil
}

// waitFor waits for a dossier to reach status, and returns it with its tasks.
func (c demoClient) waitFor(who, id string, status models.Status) (demoDossier, error) {
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	d, err := c.as[who].WaitStatus(ctx, id, status)
	if err != nil {
		return demoDossier{d}, fmt.Errorf("demo: as %s: %w", who, err)
	}
	return demoDossier{d}, nil
}

type demoDossier struct{ apiclient.Dossier }

// openTask is the dossier's open task of a type for assignee ("" for anyone in the role).
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
	d, err := c.waitFor("INSTRUCTOR", lyon, models.StatusPreselection)
	if err != nil {
		return err
	}
	if err := c.complete("INSTRUCTOR", d.openTask(models.TaskPreselection, ""), "request_info", "Merci de préciser le plan de financement pluriannuel.", nil); err != nil {
		return err
	}
	if d, err = c.waitFor("INSTRUCTOR", marseille, models.StatusPreselection); err != nil {
		return err
	}
	if err := c.complete("INSTRUCTOR", d.openTask(models.TaskPreselection, ""), "preselect", "Projet mûr, partenaires engagés.", nil); err != nil {
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
	return c.complete("JURY_CHAIR", d.openTask(models.TaskJuryDecision, "presidente.dinum"), "grant", "Intérêt fort pour le territoire.",
		map[string]any{"amount_cents": 25_000_000})
}
