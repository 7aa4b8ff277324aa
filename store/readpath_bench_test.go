package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/relance/relance/api"
	"github.com/relance/relance/filing"
	"github.com/relance/relance/internal/seed"
	"github.com/relance/relance/internal/testdb"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// readCase is one page-by-page read of the inbox or the dossier list, through the store and
// through the HTTP API (query is its path and query string).
type readCase struct {
	name  string
	p     models.Principal
	query string
	page  func(ctx context.Context, st *store.Store, after any) (last any, n int, err error)
}

// BenchmarkReadPath seeds PostgreSQL with 10,000 then 100,000 dossiers (about three tasks
// each) and times each page of the inbox and of the dossier list, for each filter and sort,
// following the cursor over the first pages. It prints p50 and p99 per page at each size
// and how they grow, then the shared buffers the store's worst page touched at each size
// (EXPLAIN ANALYZE BUFFERS), which, unlike times, a loaded machine does not change. It runs only with BENCH_SCALE=1 (make bench-scale) and
// TEST_DATABASE_URL; BENCH_SCALE_SIZES and BENCH_SCALE_REPS change the sizes and repetitions.
func BenchmarkReadPath(b *testing.B) {
	if os.Getenv("BENCH_SCALE") == "" {
		b.Skip("set BENCH_SCALE=1 (make bench-scale): seeds 100,000 dossiers")
	}
	if os.Getenv("TEST_DATABASE_URL") == "" {
		b.Skip("TEST_DATABASE_URL not set: the read path is measured on PostgreSQL")
	}
	sizes := []int{10_000, 100_000}
	if v := os.Getenv("BENCH_SCALE_SIZES"); v != "" {
		sizes = nil
		for _, s := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				b.Fatalf("BENCH_SCALE_SIZES: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	reps := 10
	if v := os.Getenv("BENCH_SCALE_REPS"); v != "" {
		var err error
		if reps, err = strconv.Atoi(v); err != nil {
			b.Fatalf("BENCH_SCALE_REPS: %v", err)
		}
	}
	const pages, limit = 10, 50
	ctx := context.Background()
	results := map[string]map[int][]time.Duration{} // case, size: page times
	buffers := map[string]map[int]int{}             // case, size: the most buffers a page touched
	var order []string
	for _, size := range sizes {
		st, err := store.Open(testdb.PostgresURL(b))
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		if err := st.SeedEnvelopes(ctx, models.DefaultEnvelopes()); err != nil {
			b.Fatal(err)
		}
		now := time.Now().UTC()
		start := time.Now()
		res, err := seed.Run(ctx, st, seed.Options{Dossiers: size, Seed: 1, Now: now})
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(os.Stderr, "seeded %d dossiers, %d tasks, %d audit events in %s\n", res.Dossiers, res.Tasks, res.Events,
			time.Since(start).Round(time.Second))
		cases, err := readCases(ctx, st, now, limit)
		if err != nil {
			b.Fatal(err)
		}
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		srv := httptest.NewServer((&api.Server{Store: st, Auth: api.NewAuthenticator(benchSecret, "", "", ""), Logger: logger,
			Filing: &filing.Service{Store: st, Logger: logger}}).Handler())
		for _, c := range cases {
			for via, page := range map[string]func(ctx context.Context, after any) (any, int, error){
				"store": func(ctx context.Context, after any) (any, int, error) { return c.page(ctx, st, after) },
				"http":  httpPage(b, srv.URL, c, limit)} {
				name := via + " " + c.name
				if results[name] == nil {
					results[name] = map[int][]time.Duration{}
					order = append(order, name)
				}
				for rep := range reps + 1 { // the first warms the caches, unmeasured
					var after any
					for range pages {
						t0 := time.Now()
						last, n, err := page(ctx, after)
						if err != nil {
							b.Fatalf("%s: %v", name, err)
						}
						if n == 0 && after != nil {
							break
						}
						if rep > 0 {
							results[name][size] = append(results[name][size], time.Since(t0))
						}
						if n < limit {
							break
						}
						after = last
					}
				}
			}
		}
		for _, c := range cases {
			if buffers[c.name] == nil {
				buffers[c.name] = map[int]int{}
			}
			var after any
			for range pages {
				var last any
				var n int
				k, err := store.PageBuffers(st, func(st *store.Store) (err error) { last, n, err = c.page(ctx, st, after); return err })
				if err != nil {
					b.Fatalf("%s: %v", c.name, err)
				}
				if n == 0 && after != nil {
					break
				}
				buffers[c.name][size] = max(buffers[c.name][size], k)
				if n < limit {
					break
				}
				after = last
			}
		}
		srv.Close()
		st.Close()
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	header := "case\t"
	for _, size := range sizes {
		header += fmt.Sprintf("pages@%d\tp50@%d\tp99@%d\t", size, size, size)
	}
	fmt.Fprintln(w, header+"p50 growth\tp99 growth\t")
	worst, worstGrowth := time.Duration(0), 0.0
	slices.Sort(order)
	for _, name := range order {
		line := name + "\t"
		var first, last [2]time.Duration // p50, p99
		for i, size := range sizes {
			d := results[name][size]
			p := [2]time.Duration{percentile(d, 50), percentile(d, 99)}
			line += fmt.Sprintf("%d\t%s\t%s\t", len(d), ms(p[0]), ms(p[1]))
			if i == 0 {
				first = p
			}
			last, worst = p, max(worst, p[1])
		}
		growth := func(i int) float64 { return float64(last[i]) / float64(max(first[i], time.Microsecond)) }
		worstGrowth = max(worstGrowth, growth(1))
		fmt.Fprintf(w, "%s%.2f×\t%.2f×\t\n", line, growth(0), growth(1))
	}
	w.Flush()
	// Buffers do not depend on the machine's load, as times do: a page whose buffers grow
	// with the data reads more than its page.
	fmt.Println("\nshared buffers touched by the store's worst page (EXPLAIN ANALYZE BUFFERS)")
	w = tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	header = "case\t"
	for _, size := range sizes {
		header += fmt.Sprintf("buffers@%d\t", size)
	}
	fmt.Fprintln(w, header+"growth\t")
	worstBuffers := 0.0
	for _, name := range slices.Sorted(maps.Keys(buffers)) {
		line := "store " + name + "\t"
		for _, size := range sizes {
			line += fmt.Sprintf("%d\t", buffers[name][size])
		}
		growth := float64(buffers[name][sizes[len(sizes)-1]]) / float64(max(buffers[name][sizes[0]], 1))
		worstBuffers = max(worstBuffers, growth)
		fmt.Fprintf(w, "%s%.2f×\t\n", line, growth)
	}
	w.Flush()
	b.ReportMetric(worstBuffers, "worst-buffers-growth")
	b.ReportMetric(float64(worst)/float64(time.Millisecond), "worst-p99-ms")
	b.ReportMetric(worstGrowth, "worst-p99-growth")
}

// readCases are the inbox's filters and sorts, and the dossier list's filters, for the
// principals who use them, with values taken from the seeded data.
func readCases(ctx context.Context, st *store.Store, now time.Time, limit int) ([]readCase, error) {
	instructor := models.Principal{Subject: "bench-instructor", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}
	finance := models.Principal{Subject: "seed-finance-3", Roles: []models.Role{models.RoleFinance}}
	juror := models.Principal{Subject: seed.JuryMembers[1], Roles: []models.Role{models.RoleJury}}
	admin := models.Principal{Subject: "bench-admin", Roles: []models.Role{models.RoleAdmin}}
	depInstructor := models.Principal{Subject: "bench-dep", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"62", "59"}}
	regInstructor := models.Principal{Subject: "bench-reg", Roles: []models.Role{models.RoleInstructor}, Regions: []string{"53"}}

	// The busiest applicant and a call, from the data.
	all, err := st.ListDossiers(ctx, admin, store.DossierFilter{Kind: string(models.KindAAP), Limit: 1})
	if err != nil || len(all) == 0 {
		return nil, fmt.Errorf("no seeded call-for-projects dossier: %v", err)
	}
	call := all[0].CallID
	siren := all[0].ApplicantSiren
	applicant := models.Principal{Subject: "seed-applicant-" + siren, Roles: []models.Role{models.RoleApplicant}, Siren: siren}
	access, err := st.Access(ctx, juror.Subject)
	if err != nil {
		return nil, err
	}
	juror.JuryOf = access.JuryCalls

	inbox := func(name string, p models.Principal, f store.TaskFilter) readCase {
		f.Limit = limit
		q := url.Values{}
		for k, v := range map[string]string{"type": f.Type, "kind": f.DossierKind, "status": f.DossierStatus,
			"departement": f.Departement, "assigned": f.Assigned} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if f.ByDue {
			q.Set("sort", "due")
		}
		if f.Overdue {
			q.Set("overdue", "true")
		}
		if f.DueBefore != nil {
			q.Set("due_before", f.DueBefore.Format(time.RFC3339))
		}
		q.Set("limit", strconv.Itoa(limit))
		return readCase{name: "inbox " + name, p: p, query: "/api/v1/tasks?" + q.Encode(), page: func(ctx context.Context, st *store.Store, after any) (any, int, error) {
			g := f
			if after != nil {
				t := after.(models.Task)
				g.After = &store.TaskCursor{Key: f.SortKey(t), ID: t.ID}
			}
			tasks, err := st.Inbox(ctx, p, g)
			if err != nil || len(tasks) == 0 {
				return nil, 0, err
			}
			return tasks[len(tasks)-1], len(tasks), nil
		}}
	}
	list := func(name string, p models.Principal, f store.DossierFilter) readCase {
		f.Limit = limit
		q := url.Values{}
		for k, v := range map[string]string{"kind": f.Kind, "status": f.Status, "applicant": f.Applicant,
			"departement": f.Departement, "region": f.Region, "call": f.Call} {
			if v != "" {
				q.Set(k, v)
			}
		}
		q.Set("limit", strconv.Itoa(limit))
		return readCase{name: "dossiers " + name, p: p, query: "/api/v1/dossiers?" + q.Encode(), page: func(ctx context.Context, st *store.Store, after any) (any, int, error) {
			g := f
			if after != nil {
				g.After = after.(string)
			}
			ds, err := st.ListDossiers(ctx, p, g)
			if err != nil || len(ds) == 0 {
				return nil, 0, err
			}
			return ds[len(ds)-1].ID, len(ds), nil
		}}
	}
	week := now.Add(7 * 24 * time.Hour)
	return []readCase{
		inbox("instructor newest", instructor, store.TaskFilter{}),
		inbox("instructor due", instructor, store.TaskFilter{ByDue: true}),
		inbox("instructor type=preselection due", instructor, store.TaskFilter{Type: string(models.TaskPreselection), ByDue: true}),
		inbox("instructor kind=aap status=preselection", instructor, store.TaskFilter{DossierKind: string(models.KindAAP), DossierStatus: string(models.StatusPreselection)}),
		inbox("instructor departement=62", instructor, store.TaskFilter{Departement: "62"}),
		inbox("instructor departement=2A due", instructor, store.TaskFilter{Departement: "2A", ByDue: true}),
		inbox("finance newest", finance, store.TaskFilter{}),
		inbox("finance due", finance, store.TaskFilter{ByDue: true}),
		inbox("finance type=disbursement", finance, store.TaskFilter{Type: string(models.TaskDisbursement)}),
		inbox("finance kind=guichet", finance, store.TaskFilter{DossierKind: string(models.KindGuichet)}),
		inbox("finance assigned=me", finance, store.TaskFilter{Assigned: "me"}),
		inbox("finance assigned=unassigned due", finance, store.TaskFilter{Assigned: "unassigned", ByDue: true}),
		inbox("finance overdue newest", finance, store.TaskFilter{Overdue: true}),
		inbox("finance overdue due", finance, store.TaskFilter{Overdue: true, ByDue: true}),
		inbox("finance due_before=+7d due", finance, store.TaskFilter{DueBefore: &week, ByDue: true}),
		inbox("finance due_before=+7d newest", finance, store.TaskFilter{DueBefore: &week}),
		inbox("jury member due", juror, store.TaskFilter{ByDue: true}),
		inbox("jury member newest", juror, store.TaskFilter{}),
		inbox("applicant", applicant, store.TaskFilter{}),
		list("admin", admin, store.DossierFilter{}),
		list("admin kind=guichet", admin, store.DossierFilter{Kind: string(models.KindGuichet)}),
		list("admin status=jury", admin, store.DossierFilter{Status: string(models.StatusJury)}),
		list("admin status=lapsed", admin, store.DossierFilter{Status: string(models.StatusLapsed)}),
		list("admin departement=2A", admin, store.DossierFilter{Departement: "2A"}),
		list("admin region=94", admin, store.DossierFilter{Region: "94"}),
		list("admin applicant", admin, store.DossierFilter{Applicant: siren}),
		list("admin call", admin, store.DossierFilter{Call: call}),
		list("admin kind=aap status=paid departement=62", admin, store.DossierFilter{Kind: string(models.KindAAP), Status: string(models.StatusPaid), Departement: "62"}),
		list("instructor 62+59", depInstructor, store.DossierFilter{}),
		list("instructor 62+59 status=incomplete", depInstructor, store.DossierFilter{Status: string(models.StatusIncomplete)}),
		list("instructor region 53", regInstructor, store.DossierFilter{}),
		list("jury member", juror, store.DossierFilter{}),
		list("applicant", applicant, store.DossierFilter{}),
	}, nil
}

const benchSecret = "bench-secret"

// httpPage reads a page of c through the API, as c's principal; after is the cursor.
func httpPage(b *testing.B, base string, c readCase, limit int) func(ctx context.Context, after any) (any, int, error) {
	auth := api.NewAuthenticator(benchSecret, "", "", "")
	token, err := auth.Mint(c.p, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context, after any) (any, int, error) {
		u := base + c.query
		if after != nil {
			u += "&cursor=" + url.QueryEscape(after.(string))
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, 0, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, 0, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(resp.Body)
			return nil, 0, fmt.Errorf("GET %s: %s %s", c.query, resp.Status, body)
		}
		var page struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor string            `json:"next_cursor"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
			return nil, 0, err
		}
		n := len(page.Items)
		if page.NextCursor == "" && n == limit {
			n-- // no next page: stop here
		}
		return page.NextCursor, n, nil
	}
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
