package api

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// Lists export to CSV, for the API (Accept: text/csv) and the workspace alike: the same
// columns, in the order the workspace's pages show them, streamed page by page so an export
// of every dossier never sits whole in memory.

// Column is one column of an export: its header and its cell.
type Column[T any] struct {
	Header string
	Value  func(T) string
}

func csvTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// DossierColumns are the columns of a list of dossiers.
var DossierColumns = []Column[models.Dossier]{
	{"Dossier", func(d models.Dossier) string { return d.ID }},
	{"Dispositif", func(d models.Dossier) string { return string(d.Kind) }},
	{"Collectivité", func(d models.Dossier) string { return d.ApplicantName }},
	{"SIREN", func(d models.Dossier) string { return d.ApplicantSiren }},
	{"Département", func(d models.Dossier) string { return d.Departement }},
	{"Statut", func(d models.Dossier) string { return string(d.Status) }},
	{"Montant demandé", func(d models.Dossier) string { return d.RequestedCents.Decimal() }},
	{"Déposé le", func(d models.Dossier) string { return csvTime(&d.CreatedAt) }},
}

// TaskColumns are the columns of an inbox.
var TaskColumns = []Column[store.TaskLine]{
	{"Tâche", func(t store.TaskLine) string { return string(t.Type) }},
	{"Dossier", func(t store.TaskLine) string { return t.DossierID }},
	{"Collectivité", func(t store.TaskLine) string { return t.Dossier.ApplicantName }},
	{"Statut du dossier", func(t store.TaskLine) string { return string(t.Dossier.Status) }},
	{"Échéance", func(t store.TaskLine) string { return csvTime(t.DueAt) }},
	{"Prise en charge", func(t store.TaskLine) string { return t.Assignee }},
}

// DoneTaskColumns are the columns of an inbox's "traités" tab: the tasks one completed.
var DoneTaskColumns = []Column[store.TaskLine]{
	TaskColumns[0], TaskColumns[1], TaskColumns[2], TaskColumns[3], TaskColumns[4],
	{"Issue", func(t store.TaskLine) string { return t.Outcome }},
	{"Traitée le", func(t store.TaskLine) string { return csvTime(t.ClosedAt) }},
}

// LedgerColumns are the columns of the ledger.
var LedgerColumns = []Column[models.LedgerEntry]{
	{"Date", func(e models.LedgerEntry) string { return csvTime(&e.At) }},
	{"Mouvement", func(e models.LedgerEntry) string { return e.Kind }},
	{"Enveloppe", func(e models.LedgerEntry) string { return e.EnvelopeCode }},
	{"Dossier", func(e models.LedgerEntry) string { return e.DossierID }},
	{"Montant", func(e models.LedgerEntry) string { return e.AmountCents.Decimal() }},
	{"Référence", func(e models.LedgerEntry) string { return e.Reference }},
}

// BallotColumns are the columns of a campaign's ballots; the services chosen in the
// ballot's order, and the priority policies, separated by semicolons.
var BallotColumns = []Column[models.BallotEntry]{
	{"SIREN", func(b models.BallotEntry) string { return b.Siren }},
	{"Collectivité", func(b models.BallotEntry) string { return b.Name }},
	{"Type", func(b models.BallotEntry) string { return string(b.Type) }},
	{"Département", func(b models.BallotEntry) string { return b.Departement }},
	{"Services choisis", func(b models.BallotEntry) string {
		titles := make([]string, len(b.Services))
		for i, svc := range b.Services {
			titles[i] = svc.Title
		}
		return strings.Join(titles, " ; ")
	}},
	{"Politiques prioritaires", func(b models.BallotEntry) string {
		policies := make([]string, len(b.PriorityPolicies))
		for i, p := range b.PriorityPolicies {
			policies[i] = string(p)
		}
		return strings.Join(policies, " ; ")
	}},
	{"Déposé le", func(b models.BallotEntry) string { return csvTime(&b.CastAt) }},
	{"Déposé par", func(b models.BallotEntry) string { return b.CastBy }},
	{"Remplacé (nombre de fois)", func(b models.BallotEntry) string { return strconv.Itoa(b.Replacements) }},
}

// csvPage is how many rows an export reads at a time.
const csvPage = 500

// downloadCSV answers the rows next returns (given the last row of the previous page, nil
// first, until a page comes back short) as the CSV download filename, flushing after each
// page. The first page is read before anything is written, so that a refusal or an outage
// there is answered as an error, not as a truncated 200.
func downloadCSV[T any](w http.ResponseWriter, filename string, cols []Column[T], next func(last *T) ([]T, error)) error {
	items, err := next(nil)
	if err != nil {
		return err
	}
	w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	w.Header().Set(echo.HeaderContentDisposition, "attachment; filename="+strconv.Quote(filename))
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	row := make([]string, len(cols))
	for i, c := range cols {
		row[i] = c.Header
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	for {
		for _, it := range items {
			for i, c := range cols {
				row[i] = c.Value(it)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil || len(items) < csvPage {
			return err
		}
		if items, err = next(&items[len(items)-1]); err != nil {
			return err
		}
	}
}

// DossiersCSV streams the dossiers p may read matching f (its cursor and limit aside).
func (s *Server) DossiersCSV(ctx context.Context, w http.ResponseWriter, p models.Principal, f store.DossierFilter) error {
	f.Limit = csvPage
	return downloadCSV(w, "dossiers.csv", DossierColumns, func(last *models.Dossier) ([]models.Dossier, error) {
		if last != nil {
			f.After = last.ID
		}
		return s.Store.ListDossiers(ctx, p, f)
	})
}

// TasksCSV streams the inbox of p matching f (its cursor and limit aside).
func (s *Server) TasksCSV(ctx context.Context, w http.ResponseWriter, p models.Principal, f store.TaskFilter) error {
	f.Limit = csvPage
	return downloadCSV(w, "taches.csv", TaskColumns, func(last *store.TaskLine) ([]store.TaskLine, error) {
		if last != nil {
			f.After = &store.TaskCursor{Key: f.SortKey(last.Task), ID: last.ID}
		}
		tasks, err := s.Store.Inbox(ctx, p, f)
		if err != nil {
			return nil, err
		}
		return s.Store.TaskLines(ctx, tasks)
	})
}

// DoneTasksCSV streams the tasks subject completed, the latest first.
func (s *Server) DoneTasksCSV(ctx context.Context, w http.ResponseWriter, subject string) error {
	return downloadCSV(w, "taches-traitees.csv", DoneTaskColumns, func(last *store.TaskLine) ([]store.TaskLine, error) {
		var after *store.TaskCursor
		if last != nil {
			after = store.DoneCursor(last.Task)
		}
		tasks, err := s.Store.ClosedBy(ctx, subject, after, csvPage)
		if err != nil {
			return nil, err
		}
		return s.Store.TaskLines(ctx, tasks)
	})
}

// LedgerCSV answers the ledger, optionally of one dossier or envelope, as p may read it.
func (s *Server) LedgerCSV(ctx context.Context, w http.ResponseWriter, p models.Principal, dossierID, envelope string) error {
	return downloadCSV(w, "grand-livre.csv", LedgerColumns, func(last *models.LedgerEntry) ([]models.LedgerEntry, error) {
		var after int64
		if last != nil {
			after = last.ID
		}
		return s.Filing.Ledger(ctx, p, dossierID, envelope, after, csvPage)
	})
}

// BallotsCSV answers a campaign's ballots as p may read them.
func (s *Server) BallotsCSV(ctx context.Context, w http.ResponseWriter, p models.Principal, campaign models.Campaign) error {
	return downloadCSV(w, "bulletins-"+campaign.ID+".csv", BallotColumns, func(last *models.BallotEntry) ([]models.BallotEntry, error) {
		after := ""
		if last != nil {
			after = last.Siren
		}
		return s.Filing.Ballots(ctx, p, campaign, after, csvPage)
	})
}

// wantsCSV reports whether the client asked for CSV rather than JSON.
func wantsCSV(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv")
}
