package web

import (
	"context"
	"encoding/json"
	"net/url"
	"time"

	"github.com/relance/relance/models"
)

// serviceData reads the forms of a candidate service's build and deploy tasks into their
// completions' data: the same names and rules as the API's.
func serviceData(t models.TaskType, form url.Values, data map[string]any, errs map[string]string) {
	switch t {
	case models.TaskServiceRoute:
		data["route"], data["note"] = form.Get("route"), form.Get("note")
		for _, k := range []string{"investigation_due", "beta_due", "deployment_due"} {
			data[k] = form.Get(k)
		}
		data["legal_study"] = form.Get("legal_study") == "true"
	case models.TaskServiceInvestigation, models.TaskServiceBeta, models.TaskServiceDeployment:
		data["reached_on"] = form.Get("reached_on")
	case models.TaskServicePayment:
		euroData(form, "amount", "data.amount_cents", data, errs)
		data["paid_on"], data["reference"] = form.Get("paid_on"), form.Get("reference")
	case models.TaskServiceLegalStudy:
		data["vehicle"], data["name"] = form.Get("vehicle"), form.Get("vehicle_name")
		euroData(form, "funding", "data.funding_cents", data, errs)
	case models.TaskServiceVehicle:
		data["paid_on"], data["reference"] = form.Get("paid_on"), form.Get("reference")
	case models.TaskServiceDelivery:
		data["how_to_join"], data["contact"] = form.Get("how_to_join"), form.Get("contact")
	}
}

// serviceFacts is what a candidate service's page shows beside its reference row: the
// service, the proposals it groups, and where its build and deploy stands (to those who
// follow it: ANCT and finance).
type serviceFacts struct {
	Service    models.CandidateService
	Proposals  []proposalLine
	Build      *models.ServiceBuild
	Milestones []milestone
}

// milestone is a milestone task with the day it was reached, if it was.
type milestone struct {
	models.Task
	ReachedOn string
}

func (s *Server) serviceFacts(ctx context.Context, p models.Principal, d models.Dossier) (*serviceFacts, error) {
	if d.Kind != models.KindService {
		return nil, nil
	}
	f := &serviceFacts{}
	switch b, err := s.App.ServiceBuild(ctx, p, d.ID); {
	case err == nil:
		f.Build, f.Service = &b, b.Service
		for _, t := range b.Milestones {
			var m models.MilestoneData
			_ = json.Unmarshal(t.Data, &m)
			if d, err := time.Parse(time.DateOnly, m.ReachedOn); err == nil {
				m.ReachedOn = d.Format("02/01/2006")
			}
			f.Milestones = append(f.Milestones, milestone{t, m.ReachedOn})
		}
	case models.ErrorCode(err) != models.EForbidden:
		return nil, err
	default:
		if f.Service, err = s.Store.Service(ctx, d.ID); err != nil {
			return nil, err
		}
	}
	for _, id := range f.Service.ProposalIDs {
		prop, err := s.Store.Dossier(ctx, id)
		if err != nil {
			return nil, err
		}
		f.Proposals = append(f.Proposals, proposalOf(prop))
	}
	return f, nil
}
