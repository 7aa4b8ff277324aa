package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
)

// Axe 3's envelopes and reference data: the administrator's regional split, labs and CRTE;
// the préfets' delegations and each territory's rules.

func (s *Server) regionalSplit(c echo.Context) error {
	out, err := s.Filing.RegionalSplit(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) putRegionalSplit(c echo.Context) error {
	var req models.RegionalSplitRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := s.Filing.SetRegionalSplit(c.Request().Context(), principal(c), req.Allocations); err != nil {
		return err
	}
	return s.regionalSplit(c)
}

// regionParam reads the :region path parameter.
func regionParam(c echo.Context) (string, error) {
	region := c.Param("region")
	return region, models.CheckRegion("region", region)
}

func (s *Server) getRegion(c echo.Context) error {
	region, err := regionParam(c)
	if err != nil {
		return err
	}
	out, err := s.Filing.Region(c.Request().Context(), principal(c), region)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// putDelegation sets what a région delegates to one of its départements: its préfet de
// région's act (or an administrator's).
func (s *Server) putDelegation(c echo.Context) error {
	region, err := regionParam(c)
	if err != nil {
		return err
	}
	dep := c.Param("departement")
	if err := models.CheckDepartement("departement", dep); err != nil {
		return err
	}
	var req models.DelegationRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	env, err := s.Filing.Delegate(c.Request().Context(), principal(c), region, dep, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, env)
}

func (s *Server) listLabs(c echo.Context) error {
	labs, err := s.Store.Labs(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": nonNil(labs)})
}

func (s *Server) putLab(c echo.Context) error {
	var req models.LabRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	lab, err := s.Filing.PutLab(c.Request().Context(), principal(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, lab)
}

func (s *Server) listCRTEs(c echo.Context) error {
	crtes, err := s.Store.CRTEs(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": nonNil(crtes)})
}

func (s *Server) putCRTE(c echo.Context) error {
	var req models.CRTERequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	crte, err := s.Filing.PutCRTE(c.Request().Context(), principal(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, crte)
}

func (s *Server) listAxe3Rules(c echo.Context) error {
	rules, err := s.Store.Axe3Rules(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": nonNil(rules), "default": models.DefaultAxe3Rules()})
}

// putDepartementRules sets a département's Axe 3 rules: its préfet's, its région's préfet's
// or an administrator's act.
func (s *Server) putDepartementRules(c echo.Context) error {
	dep := c.Param("departement")
	if err := models.CheckDepartement("departement", dep); err != nil {
		return err
	}
	if _, err := s.Store.DepartementRegion(c.Request().Context(), dep); err != nil {
		return err
	}
	return s.putRules(c, models.DepartementScope(dep))
}

// putRegionRules sets a région's Axe 3 rules, which its départements without their own follow.
func (s *Server) putRegionRules(c echo.Context) error {
	region, err := regionParam(c)
	if err != nil {
		return err
	}
	return s.putRules(c, models.RegionScope(region))
}

func (s *Server) putRules(c echo.Context, scope models.Scope) error {
	var req models.Axe3RulesRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	rules, err := s.Filing.SetAxe3Rules(c.Request().Context(), principal(c), scope, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rules)
}

// prefectoralRequest is an Axe 3 application; Draft saves it without submitting.
type prefectoralRequest struct {
	models.PrefectoralApplication
	Draft bool `json:"draft"`
}

// createPrefectoral files an Axe 3 application for the caller's collectivité, or saves a
// draft of it.
func (s *Server) createPrefectoral(c echo.Context) error {
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	var req prefectoralRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	filed, err := s.Filing.FilePrefectoral(c.Request().Context(), principal(c), key, req.PrefectoralApplication, req.Draft)
	if err != nil {
		return err
	}
	return answerFiled(c, filed)
}

// updatePrefectoralDraft replaces a draft's application.
func (s *Server) updatePrefectoralDraft(c echo.Context) error {
	var app models.PrefectoralApplication
	if err := bindJSON(c, &app); err != nil {
		return err
	}
	d, err := s.Filing.UpdatePrefectoralDraft(c.Request().Context(), principal(c), c.Param("id"), app)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// prefectoralEligibility computes and explains an Axe 3 application's eligibility as it
// stands, for whoever reads the dossier (a draft's applicant, before submitting).
func (s *Server) prefectoralEligibility(c echo.Context) error {
	e, err := s.Filing.PrefectoralEligibility(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

// submitPrefectoral submits a complete draft, starting its process.
func (s *Server) submitPrefectoral(c echo.Context) error {
	d, err := s.Filing.SubmitPrefectoral(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
