package api

import (
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
)

// listPeople lists the administrator's table of people, by subject, a page at a time.
func (s *Server) listPeople(c echo.Context) error {
	limit, after, err := pagination(c)
	if err != nil {
		return err
	}
	people, err := s.Store.People(c.Request().Context(), after, limit+1)
	if err != nil {
		return err
	}
	out := page[models.Person]{Items: people}
	if len(people) > limit {
		out.Items = people[:limit]
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(people[limit-1].Subject))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getPerson(c echo.Context) error {
	p, found, err := s.Store.Person(c.Request().Context(), c.Param("subject"))
	if err != nil {
		return err
	}
	if !found {
		return models.Errorf(models.ENotFound, "no entry for the person %q", c.Param("subject"))
	}
	return c.JSON(http.StatusOK, p)
}

// putPerson adds or replaces the entry of the subject of the path.
func (s *Server) putPerson(c echo.Context) error {
	var p models.Person
	if err := bindJSON(c, &p); err != nil {
		return err
	}
	subject := c.Param("subject")
	if p.Subject != "" && p.Subject != subject {
		return models.FieldErrors(map[string]string{"subject": "must be the subject of the path, " + subject + ", or left out"})
	}
	p.Subject = subject
	if err := s.Filing.SavePerson(c.Request().Context(), principal(c), p); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) deletePerson(c echo.Context) error {
	if err := s.Filing.RemovePerson(c.Request().Context(), principal(c), c.Param("subject")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// personTrail lists the changes to a person's entry, oldest first.
func (s *Server) personTrail(c echo.Context) error {
	trail, err := s.Store.PersonTrail(c.Request().Context(), c.Param("subject"))
	if err != nil {
		return err
	}
	if trail == nil {
		trail = []models.AuditEvent{}
	}
	return c.JSON(http.StatusOK, trail)
}
