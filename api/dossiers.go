package api

import (
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// maxIdempotencyKey is the longest Idempotency-Key accepted, in bytes.
const maxIdempotencyKey = 255

// createGuichetApplication files a FranceConnect/API window application and starts its
// workflow. A retried POST with the same Idempotency-Key returns the same dossier.
func (s *Server) createGuichetApplication(c echo.Context) error {
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	var app models.GuichetApplication
	if err := bindJSON(c, &app); err != nil {
		return err
	}
	filed, err := s.Filing.FileGuichet(c.Request().Context(), principal(c), key, app)
	if err != nil {
		return err
	}
	return answerFiled(c, filed)
}

// idempotencyKey reads the optional Idempotency-Key header.
func idempotencyKey(c echo.Context) (string, error) {
	key := c.Request().Header.Get("Idempotency-Key")
	switch {
	case !utf8.ValidString(key):
		return "", &models.Error{Code: models.EMalformed, Message: "the Idempotency-Key header is not valid UTF-8",
			Fields: map[string]string{"Idempotency-Key": "must be valid UTF-8"}}
	case len(key) > maxIdempotencyKey:
		msg := fmt.Sprintf("must be at most %d bytes", maxIdempotencyKey)
		return "", &models.Error{Code: models.EMalformed, Message: "the Idempotency-Key header " + msg,
			Fields: map[string]string{"Idempotency-Key": msg}}
	}
	return key, nil
}

// answerFiled answers 201 with a new dossier, 200 with the one a retried request filed.
func answerFiled(c echo.Context, filed filing.Filed) error {
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/dossiers/"+filed.Dossier.ID)
	if !filed.Created {
		return c.JSON(http.StatusOK, filed.Dossier)
	}
	return c.JSON(http.StatusCreated, filed.Dossier)
}

// getDossier answers the dossier as its caller may see it, empty lists as [], never null.
func (s *Server) getDossier(c echo.Context) error {
	v, err := s.Filing.DossierView(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	v.Tasks, v.Audit, v.Ledger = nonNil(v.Tasks), nonNil(v.Audit), nonNil(v.Ledger)
	return c.JSON(http.StatusOK, v)
}

func (s *Server) listDossiers(c echo.Context) error {
	limit, after, err := pagination(c)
	if err != nil {
		return err
	}
	f := store.DossierFilter{Kind: c.QueryParam("kind"), Status: c.QueryParam("status"), Applicant: c.QueryParam("applicant"),
		Departement: c.QueryParam("departement"), Region: c.QueryParam("region"), Call: c.QueryParam("call"), After: after, Limit: limit}
	fields := models.DossierFilterErrors(f.Kind, f.Status, f.Departement, f.Applicant)
	if len(fields) > 0 {
		return models.FieldErrors(fields)
	}
	if wantsCSV(c) {
		return s.DossiersCSV(c.Request().Context(), c.Response(), principal(c), f)
	}
	items, err := s.Store.ListDossiers(c.Request().Context(), principal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(items, limit, func(d models.Dossier) string { return d.ID }))
}

// amendChecklist sends an incomplete dossier's new checklist to its workflow, which
// re-checks it; the answer carries the dossier as the re-check left it.
func (s *Server) amendChecklist(c echo.Context) error {
	var req models.ChecklistAmendment
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := s.Filing.AmendChecklist(c.Request().Context(), principal(c), c.Param("id"), req); err != nil {
		return err
	}
	return s.getDossier(c)
}
