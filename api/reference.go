package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

func (s *Server) listCollectivites(c echo.Context) error {
	limit, after, err := pagination(c)
	if err != nil {
		return err
	}
	f := store.CollectiviteFilter{Query: strings.TrimSpace(c.QueryParam("q")), Type: models.CollectiviteType(c.QueryParam("type")),
		Departement: c.QueryParam("departement"), Limit: limit}
	fields := models.CollectiviteFilterErrors(string(f.Type), f.Departement, f.Query)
	if after != "" {
		var ok bool
		if f.AfterType, f.AfterCode, ok = strings.Cut(after, "|"); !ok {
			fields["cursor"] = "is not a cursor this API returned"
		}
	}
	if len(fields) > 0 {
		return models.FieldErrors(fields)
	}
	items, err := s.Store.SearchCollectivites(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(items, limit, func(x models.Collectivite) string { return string(x.Type) + "|" + x.Code }))
}

func (s *Server) getCollectivite(c echo.Context) error {
	siren := c.Param("siren")
	if err := models.CheckSiren("siren", siren); err != nil {
		return err
	}
	col, err := s.Store.CollectiviteBySiren(c.Request().Context(), siren)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, col)
}

func (s *Server) listEnvelopes(c echo.Context) error {
	envs, err := s.Store.Envelopes(c.Request().Context())
	if err != nil {
		return err
	}
	type envelopeView struct {
		models.Envelope
		AvailableCents models.Cents `json:"available_cents"`
	}
	out := make([]envelopeView, len(envs))
	for i, e := range envs {
		available, err := e.AvailableCents()
		if err != nil {
			return err
		}
		out[i] = envelopeView{e, available}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

func (s *Server) patchEnvelope(c echo.Context) error {
	var req models.AllocationRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	env, promoted, err := s.Filing.SetAllocation(c.Request().Context(), principal(c), c.Param("code"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"envelope": env, "funded_from_waiting_list": nonNil(promoted)})
}

func (s *Server) listLedger(c echo.Context) error {
	limit, before, err := idPagination(c)
	if err != nil {
		return err
	}
	if wantsCSV(c) {
		return s.LedgerCSV(c.Request().Context(), c.Response(), principal(c), c.QueryParam("dossier"), c.QueryParam("envelope"))
	}
	entries, err := s.Filing.Ledger(c.Request().Context(), principal(c), c.QueryParam("dossier"), c.QueryParam("envelope"), before, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(entries, limit, func(e models.LedgerEntry) string { return strconv.FormatInt(e.ID, 10) }))
}

func (s *Server) listChecklists(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"items": models.ChecklistSpecs, "apis": models.GuichetAPIs})
}

func nonNil[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}
