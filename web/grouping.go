package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// groupingView is ANCT's grouping of a campaign's proposals into candidate services: the
// proposals with the service each is in, the services with their proposals and costs, and
// the form in error, if any.
type groupingView struct {
	formView
	Proposals []groupingLine
	Services  []models.CandidateService
	Titles    map[string]string
}

type groupingLine struct {
	proposalLine
	ServiceID string
	Groupable bool
}

// groupingProposals is how many of a campaign's proposals the grouping page lists.
const groupingProposals = 1000

func (s *Server) showGrouping(c echo.Context, status int, f formView) error {
	ctx, p := c.Request().Context(), principal(c)
	if !p.ActsForANCT() {
		return s.renderError(c, models.Errorf(models.EForbidden, "seule l'ANCT (un administrateur ou un instructeur national) regroupe les propositions"))
	}
	v := groupingView{formView: f, Titles: map[string]string{}}
	all, err := s.Store.Services(ctx, f.Campaign.ID)
	if err != nil {
		return s.renderError(c, err)
	}
	in := map[string]string{}
	for _, svc := range all {
		if svc.Status == models.ServiceMerged {
			continue
		}
		v.Services = append(v.Services, svc)
		for _, id := range svc.ProposalIDs {
			in[id] = svc.ID
		}
	}
	ds, err := s.Store.ListDossiers(ctx, p, store.DossierFilter{Kind: string(models.KindCoConstruction), Call: f.Campaign.ID, Limit: groupingProposals})
	if err != nil {
		return s.renderError(c, err)
	}
	for _, d := range ds {
		l := groupingLine{proposalLine: proposalOf(d), ServiceID: in[d.ID], Groupable: models.Groupable(d.Status)}
		v.Titles[d.ID] = l.Proposal.Title
		v.Proposals = append(v.Proposals, l)
	}
	return s.render(c, status, "grouping", "Regroupement — "+f.Campaign.Title, v)
}

func (s *Server) groupingPage(c echo.Context) error {
	campaign, err := s.campaign(c)
	if err != nil {
		return s.renderError(c, err)
	}
	return s.showGrouping(c, http.StatusOK, newForm(campaign))
}

// groupingAct runs one of the grouping's acts from its form, and shows the page again,
// with the form's errors next to its fields, or with the confirmation.
func (s *Server) groupingAct(name string, act func(c echo.Context, campaign models.Campaign, form url.Values, f *formView) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		campaign, form, f, err := s.postedForm(c)
		if err != nil {
			return s.renderError(c, err)
		}
		f.Form, f.Multi = name, form
		if c.Param("sid") != "" {
			f.Form = name + "-" + c.Param("sid")
		}
		err = act(c, campaign, form, &f)
		if err == nil && len(f.Errors) == 0 {
			return c.Redirect(http.StatusSeeOther, "/campagnes/"+url.PathEscape(campaign.ID)+"/regroupement?info="+name)
		}
		status := http.StatusUnprocessableEntity
		if err != nil {
			var ok bool
			if status, ok = f.refusal(err); !ok {
				return s.renderError(c, err)
			}
		}
		return s.showGrouping(c, status, f)
	}
}

func (s *Server) createService(c echo.Context, campaign models.Campaign, form url.Values, f *formView) error {
	req := models.ServiceRequest{Title: strings.TrimSpace(form.Get("title")), Description: form.Get("description"),
		ProposalIDs: form["proposal_ids"], CostNote: form.Get("cost_note"), EstimatedCostCents: eurosField(form, "estimated_cost_cents", f.Errors)}
	if len(f.Errors) > 0 {
		return nil
	}
	_, err := s.App.CreateService(c.Request().Context(), principal(c), campaign, req)
	return err
}

// moveProposal moves the proposal of the page's URL into the service its list picks. That
// service is no field of the request (the API's path names it: none is a 404), so the list
// left on "Choisir" is answered here, next to it.
func (s *Server) moveProposal(c echo.Context, campaign models.Campaign, form url.Values, f *formView) error {
	into := form.Get("service_id")
	if into == "" {
		f.Errors["service_id"] = "Choisissez le service qui accueille la proposition."
		return nil
	}
	_, err := s.App.MoveProposal(c.Request().Context(), principal(c), campaign, into, models.MoveProposalRequest{DossierID: c.Param("pid")})
	return err
}

func (s *Server) mergeService(c echo.Context, campaign models.Campaign, form url.Values, _ *formView) error {
	_, err := s.App.MergeServices(c.Request().Context(), principal(c), campaign, c.Param("sid"), models.MergeServiceRequest{IntoServiceID: form.Get("into_service_id")})
	return err
}

func (s *Server) setServiceCost(c echo.Context, campaign models.Campaign, form url.Values, f *formView) error {
	req := models.ServiceCostRequest{CostNote: form.Get("cost_note"), EstimatedCostCents: eurosField(form, "estimated_cost_cents", f.Errors)}
	if len(f.Errors) > 0 {
		return nil
	}
	_, err := s.App.SetServiceCost(c.Request().Context(), principal(c), campaign, c.Param("sid"), req)
	return err
}
