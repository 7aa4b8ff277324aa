package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestInformationAnswerSameRuleBothWays answers a request for information through
// POST /dossiers/{id}/information and through POST /tasks/{id}/complete: the same limit,
// counted in characters (an accented character is two bytes), and the same message.
func TestInformationAnswerSameRuleBothWays(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin, instr := s.token(t, administrator), s.token(t, instructor)
	paris, marseille := s.token(t, applicantOf(sirenParis)), s.token(t, applicantOf(sirenMarseille))
	call := createCall(t, s, admin, 1)
	asked := func(token string) string {
		r := s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", token, aapApplication(10_000_000))
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var d models.Dossier
		r.decode(t, &d)
		s.waitStatus(t, token, d.ID, models.StatusPreselection)
		complete(t, s, instr, openTask(t, s, token, d.ID, models.TaskPreselection), "request_info", "Merci de préciser l'hébergement.", nil, models.StatusInfoRequested)
		return d.ID
	}
	parisID, marseilleID := asked(paris), asked(marseille)
	tooLong, longest := strings.Repeat("é", 10_001), strings.Repeat("é", 10_000) // 20,000 bytes

	r := s.call(t, http.MethodPost, "/api/v1/dossiers/"+parisID+"/information", paris, map[string]string{"answer": tooLong})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, string(r.Body))
	_, fields := r.errorCode(t)
	require.Equal(t, map[string]string{"answer": "must be at most 10000 characters"}, fields)
	r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+parisID+"/information", paris, map[string]string{"answer": longest})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))

	infoTask := openTask(t, s, marseille, marseilleID, models.TaskInformation)
	r = s.call(t, http.MethodPost, "/api/v1/tasks/"+infoTask+"/complete", marseille, map[string]any{"outcome": "answered", "comment": tooLong})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, string(r.Body))
	_, fields = r.errorCode(t)
	require.Equal(t, map[string]string{"comment": "must be at most 10000 characters"}, fields)
	complete(t, s, marseille, infoTask, "answered", longest, nil, models.StatusPreselection)

	// An instructor's comment of 2,000 accented characters (4,000 bytes) is within its limit.
	complete(t, s, instr, openTask(t, s, paris, parisID, models.TaskPreselection), "preselect", strings.Repeat("é", 2000), nil, models.StatusPreselected)
}
