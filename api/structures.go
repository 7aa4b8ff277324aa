package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
)

// savedStructure is the registry entry an administrator's entry made, with what it covers.
type savedStructure struct {
	Collectivite models.Collectivite `json:"collectivite"`
	Coverage     models.Coverage     `json:"coverage"`
}

// putStructure adds or corrects one structure, or gives a département or a région its SIREN.
func (s *Server) putStructure(c echo.Context) error {
	siren := c.Param("siren")
	if err := models.CheckSiren("siren", siren); err != nil {
		return err
	}
	var e models.StructureEntry
	if err := bindJSON(c, &e); err != nil {
		return err
	}
	if e.Siren != "" && e.Siren != siren {
		return models.FieldErrors(map[string]string{"siren": "must be the SIREN of the path, " + siren + ", or left out"})
	}
	e.Siren = siren
	col, cov, err := s.Filing.SaveStructure(c.Request().Context(), principal(c), e)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, savedStructure{col, cov})
}
