package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/relance/relance/models"
)

// prefectoral seeds Axe 3 in Bretagne: the regional split, envelopes delegated to
// Ille-et-Vilaine and Finistère, a lab, the CRTE of Rennes Métropole, and dossiers of
// Ille-et-Vilaine at every stage: Vitré at admissibility, Fougères scored, Saint-Malo
// before the préfet in an open session, Rennes a laureate with its advance paid, and
// Rennes Métropole (with the lab) paid.
func (c demoClient) prefectoral() error {
	var split struct {
		Default map[string]models.Cents `json:"default"`
	}
	if err := c.do("ADMIN", http.MethodGet, "/api/v1/axe3/regional-split", nil, &split); err != nil {
		return err
	}
	if err := c.do("ADMIN", http.MethodPut, "/api/v1/axe3/regional-split", map[string]any{"allocations": split.Default}, nil); err != nil {
		return err
	}
	for dep, amount := range map[string]models.Cents{"35": models.Euros(600_000), "29": models.Euros(400_000)} {
		if err := c.do("PREFET_BRETAGNE", http.MethodPut, "/api/v1/axe3/regions/53/delegations/"+dep, map[string]any{"amount_cents": amount}, nil); err != nil {
			return err
		}
	}
	if err := c.do("ADMIN", http.MethodPut, "/api/v1/axe3/labs/labo-bretagne", map[string]any{"name": "La Fabrique des territoires bretons", "region": "53"}, nil); err != nil {
		return err
	}
	if err := c.do("ADMIN", http.MethodPut, "/api/v1/axe3/crtes/crte-rennes-metropole",
		map[string]any{"name": "CRTE Rennes Métropole", "epcis": []string{"243500139"}, "signed_on": "2021-07-09"}, nil); err != nil {
		return err
	}
	apply := func(who, title string, requested models.Cents, lab string) (string, error) {
		app := map[string]any{
			"title": title, "description": "Un service en ligne pour les habitants, avec la formation des agents qui l'accompagnent.",
			"project_type": "online_service",
			"expenses": []map[string]any{{"category": "support", "label": "Design de service et développement", "amount_cents": requested * 3 / 2},
				{"category": "training", "label": "Formation des agents", "amount_cents": requested / 2}},
			"requested_cents": requested, "lab_id": lab,
			"backing":      map[string]any{"deliberation": "Délibération du conseil", "deliberation_date": "2021-03-15"},
			"team":         []map[string]any{{"name": "Cheffe de projet numérique", "role": "pilotage"}},
			"target_users": 5_000, "economic_model": "Code ouvert, réutilisable par les collectivités voisines",
			"impact": "Démarches sans déplacement, délais de traitement réduits", "indicators": []string{"part des démarches en ligne"},
		}
		var d models.Dossier
		err := c.do(who, http.MethodPost, "/api/v1/axe3/applications", app, &d)
		return d.ID, err
	}
	step := func(who, id string, at models.Status, task models.TaskType, outcome string, data any) error {
		d, err := c.waitFor(who, id, at)
		if err != nil {
			return err
		}
		return c.complete(who, d.openTask(task, ""), outcome, "", data)
	}
	criteria := func(s ...int) []map[string]any {
		out := make([]map[string]any, len(s))
		for i, v := range s {
			out[i] = map[string]any{"score": v, "comment": "au vu du dossier"}
		}
		return out
	}
	score := func(id string, proposed models.Cents, s ...int) error {
		if err := step("INSTRUCTOR_35", id, models.StatusAdmissibility, models.TaskAdmissibility, "admissible", nil); err != nil {
			return err
		}
		return step("INSTRUCTOR_35", id, models.StatusScoring, models.TaskScoring, "scored", map[string]any{"criteria": criteria(s...), "proposed_cents": proposed})
	}

	ids := map[string]string{}
	for _, a := range []struct {
		who, title string
		requested  models.Cents
		lab        string
	}{
		{"APPLICANT_VITRE", "Prise de rendez-vous en ligne pour l'état civil", models.Euros(15_000), ""},
		{"APPLICANT_SAINT_MALO", "Guichet numérique des autorisations d'urbanisme", models.Euros(40_000), ""},
		{"APPLICANT_RENNES", "Portail famille", models.Euros(60_000), ""},
		{"APPLICANT_RENNES_METROPOLE", "Standard téléphonique et serveur vocal des déchets", models.Euros(50_000), "labo-bretagne"},
		{"APPLICANT_FOUGERES", "Étude des besoins numériques des habitants", models.Euros(10_000), ""},
	} {
		id, err := apply(a.who, a.title, a.requested, a.lab)
		if err != nil {
			return err
		}
		ids[a.who] = id
	}
	for who, sc := range map[string][]int{"APPLICANT_SAINT_MALO": {3, 3, 4, 2, 3}, "APPLICANT_RENNES": {5, 4, 4, 4, 4}, "APPLICANT_RENNES_METROPOLE": {5, 5, 4, 4, 5}} {
		requested := map[string]models.Cents{"APPLICANT_SAINT_MALO": models.Euros(40_000), "APPLICANT_RENNES": models.Euros(60_000), "APPLICANT_RENNES_METROPOLE": models.Euros(50_000)}[who]
		if err := score(ids[who], requested, sc...); err != nil {
			return err
		}
		if _, err := c.waitFor("INSTRUCTOR_35", ids[who], models.StatusScored); err != nil {
			return err
		}
	}
	var session models.ProgrammingSession
	if err := c.do("PREFET_35", http.MethodPost, "/api/v1/axe3/sessions", map[string]any{"envelope_code": models.DepartementEnvelope("53", "35")}, &session); err != nil {
		return err
	}
	for _, who := range []string{"APPLICANT_RENNES_METROPOLE", "APPLICANT_RENNES"} {
		id := ids[who]
		if _, err := c.waitFor("PREFET_35", id, models.StatusInSession); err != nil {
			return err
		}
		granted := map[string]models.Cents{"APPLICANT_RENNES": models.Euros(55_000), "APPLICANT_RENNES_METROPOLE": models.Euros(50_000)}[who]
		if err := c.do("PREFET_35", http.MethodPost, "/api/v1/axe3/sessions/"+session.ID+"/decisions",
			map[string]any{"dossier_id": id, "outcome": "grant", "amount_cents": granted}, nil); err != nil {
			return err
		}
		// Both are covered by the CRTE of Rennes Métropole: the préfet signs the annex.
		if err := step("PREFET_35", id, models.StatusAwaitingSignature, models.TaskConventionSignature, "signed", map[string]string{"signed_on": today()}); err != nil {
			return err
		}
		if err := step(who, id, models.StatusInProgress, models.TaskAdvanceRequest, "requested", map[string]any{"amount_cents": granted * 3 / 10}); err != nil {
			return err
		}
		if err := step("FINANCE", id, models.StatusInProgress, models.TaskDisbursement, "paid", map[string]string{"paid_on": today(), "reference": "VIR-AX3-" + id[len(id)-4:]}); err != nil {
			return err
		}
	}
	// Rennes Métropole finishes its project for 90 % of the plan: the balance is paid.
	metropole := ids["APPLICANT_RENNES_METROPOLE"]
	if err := c.waitForTask("APPLICANT_RENNES_METROPOLE", metropole, models.TaskFinalStatement); err != nil {
		return err
	}
	if err := step("APPLICANT_RENNES_METROPOLE", metropole, models.StatusInProgress, models.TaskFinalStatement, "filed",
		map[string]any{"eligible_expenses_cents": models.Euros(90_000)}); err != nil {
		return err
	}
	if err := c.waitForTask("FINANCE", metropole, models.TaskDisbursement); err != nil {
		return err
	}
	if err := step("FINANCE", metropole, models.StatusInProgress, models.TaskDisbursement, "paid", map[string]string{"paid_on": today(), "reference": "VIR-AX3-SOLDE"}); err != nil {
		return err
	}
	// Fougères is scored after the session opened: it waits for the next one.
	return score(ids["APPLICANT_FOUGERES"], models.Euros(10_000), 3, 4, 3, 3, 3)
}

// waitForTask polls a dossier until it has an open task of type typ.
func (c demoClient) waitForTask(who, id string, typ models.TaskType) error {
	for range 200 {
		var d demoDossier
		if err := c.do(who, http.MethodGet, "/api/v1/dossiers/"+id, nil, &d); err != nil {
			return err
		}
		if d.openTask(typ, "") != "" {
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("demo: dossier %s has no open %s task", id, typ)
}

func today() string { return time.Now().UTC().Format(time.DateOnly) }
