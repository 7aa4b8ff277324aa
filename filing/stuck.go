package filing

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
	"github.com/relance/relance/workflows"
)

// StuckFinder lists the dossiers an administrator should look at. Each page does bounded
// work: one database query for overdue tasks; or, for the other troubles, one batch of
// dossiers in process checked against Temporal with one visibility query, plus a
// description and the latest history events of each running workflow when retries are asked for.
type StuckFinder struct {
	Store    *store.Store
	Temporal client.Client
	// Namespace is the client's namespace ("" is Temporal's default).
	Namespace string
	// UIURL is the Temporal UI's base URL, for the links to each workflow.
	UIURL string
	// Grace leaves alone the dossiers that changed more recently: their workflow's search
	// attributes may not have reached visibility yet.
	Grace time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// StuckQuery is a page request: one trouble ("" for all), the cursor of the previous page.
type StuckQuery struct {
	Trouble models.Trouble
	Cursor  StuckCursor
	Limit   int
}

// StuckCursor is where a page ended: the phase (overdue tasks, then the scan of dossiers
// in process), and the key of the last row it read.
type StuckCursor struct {
	Scan bool
	// DueAt and TaskID end a page of overdue tasks; DossierID a page of the scan.
	DueAt     time.Time
	TaskID    string
	DossierID string
}

// String encodes the cursor; ParseStuckCursor reads it back.
func (c StuckCursor) String() string {
	if c.Scan {
		return "scan|" + c.DossierID
	}
	return "tasks|" + c.DueAt.UTC().Format(time.RFC3339Nano) + "|" + c.TaskID
}

// ParseStuckCursor reads a cursor String wrote.
func ParseStuckCursor(s string) (StuckCursor, bool) {
	phase, rest, found := strings.Cut(s, "|")
	switch {
	case !found:
		return StuckCursor{}, false
	case phase == "scan":
		return StuckCursor{Scan: true, DossierID: rest}, true
	case phase == "tasks":
		at, id, ok := strings.Cut(rest, "|")
		due, err := time.Parse(time.RFC3339Nano, at)
		return StuckCursor{DueAt: due, TaskID: id}, ok && err == nil && id != ""
	}
	return StuckCursor{}, false
}

// StuckPage is a page of stuck dossiers. A scanned page may hold fewer rows than its
// limit, none even: the list goes on while Next is set.
type StuckPage struct {
	Items []models.StuckDossier
	Next  *StuckCursor
}

// localActivityMarker is how the Go SDK names its local activities' markers, and the
// data it records in them (internal/internal_event_handlers.go, localActivityMarkerData).
const localActivityMarker = "LocalActivity"

type localActivityMarkerData struct {
	ActivityType string
	Attempt      int32
	Backoff      time.Duration
}

// heartbeatThreshold is how long a worker may hold a workflow task before a local activity
// counts as stuck: a healthy one takes milliseconds. It is under 8 s, when the SDK
// heartbeats the task (80% of the 10 s workflow task timeout) and the server starts a new one.
const heartbeatThreshold = 5 * time.Second

// historyTail is how many of a workflow's latest events are read for failures.
const historyTail = 30

// describeConcurrency bounds the calls into Temporal a page makes at once.
const describeConcurrency = 8

// Page returns one page of stuck dossiers.
func (f *StuckFinder) Page(ctx context.Context, q StuckQuery) (StuckPage, error) {
	switch {
	case q.Trouble == models.TroubleOverdueTask:
		if q.Cursor.Scan {
			q.Cursor = StuckCursor{}
		}
		return f.overdue(ctx, q)
	case q.Trouble == "" && !q.Cursor.Scan:
		return f.overdue(ctx, q)
	}
	return f.scan(ctx, q)
}

func (f *StuckFinder) namespace() string {
	if f.Namespace == "" {
		return client.DefaultNamespace
	}
	return f.Namespace
}

func (f *StuckFinder) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *StuckFinder) overdue(ctx context.Context, q StuckQuery) (StuckPage, error) {
	var after *store.TaskCursor
	if q.Cursor.TaskID != "" {
		after = &store.TaskCursor{Key: q.Cursor.DueAt, ID: q.Cursor.TaskID}
	}
	rows, err := f.Store.OverdueTasks(ctx, f.now(), after, q.Limit)
	if err != nil {
		return StuckPage{}, err
	}
	page := StuckPage{Items: make([]models.StuckDossier, len(rows))}
	for i, r := range rows {
		t, d := r.Task, r.Dossier
		who := "the " + string(t.Role) + " role"
		if t.Assignee != "" {
			who = t.Assignee
		}
		page.Items[i] = models.StuckDossier{DossierID: d.ID, Kind: d.Kind, Status: d.Status, Trouble: models.TroubleOverdueTask,
			TaskID: t.ID, DueAt: t.DueAt, WorkflowURL: f.workflowURL(d.WorkflowID(), ""),
			Details: fmt.Sprintf("%s task for %s was due %s (%s ago)", t.Type, who, t.DueAt.UTC().Format(time.RFC3339),
				f.now().Sub(*t.DueAt).Round(time.Minute))}
		page.Items[i].Actions = models.StuckActions(page.Items[i], &t)
	}
	switch {
	case len(rows) == q.Limit:
		last := rows[len(rows)-1].Task
		page.Next = &StuckCursor{DueAt: *last.DueAt, TaskID: last.ID}
	case q.Trouble == "":
		page.Next = &StuckCursor{Scan: true}
	}
	return page, nil
}

// run is what visibility knows of a dossier's workflow.
type run struct {
	exec   *commonpb.WorkflowExecution
	state  enumspb.WorkflowExecutionStatus
	status models.Status
	start  time.Time
}

// scan checks a batch of dossiers in process against their workflows.
func (f *StuckFinder) scan(ctx context.Context, q StuckQuery) (StuckPage, error) {
	batch, err := f.Store.DossiersInProcess(ctx, q.Cursor.DossierID, q.Limit)
	if err != nil || len(batch) == 0 {
		return StuckPage{Items: []models.StuckDossier{}}, err
	}
	page := StuckPage{Items: []models.StuckDossier{}}
	if len(batch) == q.Limit {
		page.Next = &StuckCursor{Scan: true, DossierID: batch[len(batch)-1].ID}
	}
	settled := f.now().Add(-f.Grace)
	batch = slices.DeleteFunc(batch, func(d models.Dossier) bool { return d.UpdatedAt.After(settled) })
	if len(batch) == 0 {
		return page, nil
	}
	runs, err := f.runs(ctx, batch)
	if err != nil {
		return StuckPage{}, err
	}
	want := func(t models.Trouble) bool { return q.Trouble == "" || q.Trouble == t }
	var running []models.Dossier
	for _, d := range batch {
		r, ok := runs[d.WorkflowID()]
		row := models.StuckDossier{DossierID: d.ID, Kind: d.Kind, Status: d.Status}
		switch {
		case !ok:
			if want(models.TroubleNoWorkflow) {
				row.Trouble, row.WorkflowURL = models.TroubleNoWorkflow, f.workflowURL(d.WorkflowID(), "")
				row.Details = fmt.Sprintf("the dossier is %s but Temporal has no workflow %s", d.Status, d.WorkflowID())
				if d.ProcessStartedAt == nil {
					row.Details += ": its process was never started, which the reconciler does on its next pass (see its log if it stays)"
				}
				page.Items = append(page.Items, row)
			}
		case r.state != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
			if want(models.TroubleNoWorkflow) {
				row.Trouble, row.WorkflowURL = models.TroubleNoWorkflow, f.workflowURL(d.WorkflowID(), r.exec.GetRunId())
				row.WorkflowState, row.WorkflowStatus = stateName(r.state), r.status
				row.Details = fmt.Sprintf("the dossier is %s but its workflow is %s (its last status was %q)", d.Status, stateName(r.state), r.status)
				page.Items = append(page.Items, row)
			}
		default:
			if r.status != d.Status && want(models.TroubleStatusMismatch) {
				row.Trouble, row.WorkflowURL = models.TroubleStatusMismatch, f.workflowURL(d.WorkflowID(), r.exec.GetRunId())
				row.WorkflowState, row.WorkflowStatus = stateName(r.state), r.status
				row.Details = fmt.Sprintf("the dossier's row says %s, its workflow's DossierStatus says %q", d.Status, r.status)
				row.Actions = models.StuckActions(row, nil)
				page.Items = append(page.Items, row)
			}
			running = append(running, d)
		}
	}
	if want(models.TroubleRetrying) {
		retrying, err := f.retrying(ctx, running, runs)
		if err != nil {
			return StuckPage{}, err
		}
		page.Items = append(page.Items, retrying...)
	}
	return page, nil
}

// runs reads the workflows of a batch of dossiers with one visibility query (a few pages
// when dossiers were reset and have several runs), keeping the running run of each, or
// else its latest.
func (f *StuckFinder) runs(ctx context.Context, batch []models.Dossier) (map[string]run, error) {
	ids := make([]string, len(batch))
	for i, d := range batch {
		ids[i] = "'" + d.WorkflowID() + "'" // dossier IDs are UUIDs: nothing to escape
	}
	query := "WorkflowId IN (" + strings.Join(ids, ", ") + ")"
	out := make(map[string]run, len(batch))
	var token []byte
	for range 5 {
		resp, err := f.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: f.namespace(), PageSize: int32(2 * len(batch)), NextPageToken: token, Query: query})
		if err != nil {
			return nil, err
		}
		for _, e := range resp.Executions {
			r := run{exec: e.Execution, state: e.Status, start: e.StartTime.AsTime()}
			if p := e.GetSearchAttributes().GetIndexedFields()[workflows.SearchStatus.GetName()]; p != nil {
				var s string
				if converter.GetDefaultDataConverter().FromPayload(p, &s) == nil {
					r.status = models.Status(s)
				}
			}
			prev, seen := out[e.Execution.WorkflowId]
			if !seen || (prev.state != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING &&
				(r.state == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING || r.start.After(prev.start))) {
				out[e.Execution.WorkflowId] = r
			}
		}
		if token = resp.NextPageToken; len(token) == 0 {
			break
		}
	}
	return out, nil
}

// retrying describes each running workflow and reads its latest events, a few at a time.
func (f *StuckFinder) retrying(ctx context.Context, running []models.Dossier, runs map[string]run) ([]models.StuckDossier, error) {
	var (
		mu   sync.Mutex
		rows = []models.StuckDossier{}
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, describeConcurrency)
	)
	for _, d := range running {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			found, err := f.failures(ctx, d, runs[d.WorkflowID()])
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			rows = append(rows, found...)
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0]
	}
	slices.SortFunc(rows, func(a, b models.StuckDossier) int { return strings.Compare(a.DossierID, b.DossierID) })
	return rows, nil
}

// failures finds what keeps failing in a running workflow: an activity retrying (in its
// description), a workflow task failing or held open by a local activity (in its
// description: a local activity never shows among the pending activities), a local
// activity retrying after a backoff (in its latest events: the SDK records the failed
// attempt in a marker and waits on a timer).
func (f *StuckFinder) failures(ctx context.Context, d models.Dossier, r run) ([]models.StuckDossier, error) {
	desc, err := f.Temporal.DescribeWorkflowExecution(ctx, r.exec.GetWorkflowId(), r.exec.GetRunId())
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil, nil // gone since the visibility query: the next page's scan sees it
	}
	if err != nil {
		return nil, err
	}
	hist, err := f.Temporal.WorkflowService().GetWorkflowExecutionHistoryReverse(ctx,
		&workflowservice.GetWorkflowExecutionHistoryReverseRequest{Namespace: f.namespace(), Execution: r.exec, MaximumPageSize: historyTail})
	if err != nil {
		return nil, err
	}
	row := func(attempt int32, failure, details string) models.StuckDossier {
		return models.StuckDossier{DossierID: d.ID, Kind: d.Kind, Status: d.Status, Trouble: models.TroubleRetrying,
			Attempt: attempt, LastFailure: failure, Details: details, WorkflowState: stateName(r.state), WorkflowStatus: r.status,
			WorkflowURL: f.workflowURL(r.exec.GetWorkflowId(), r.exec.GetRunId())}
	}
	var out []models.StuckDossier
	for _, a := range desc.PendingActivities {
		if a.Attempt > 1 {
			out = append(out, row(a.Attempt, a.GetLastFailure().GetMessage(),
				fmt.Sprintf("activity %s is on attempt %d", a.GetActivityType().GetName(), a.Attempt)))
		}
	}
	events := hist.GetHistory().GetEvents()
	if wt := desc.PendingWorkflowTask; wt != nil {
		held := f.now().Sub(wt.GetStartedTime().AsTime())
		switch {
		case wt.Attempt > 1:
			out = append(out, row(wt.Attempt, lastWorkflowTaskFailure(events),
				fmt.Sprintf("the workflow task is failing (attempt %d): the worker cannot run this workflow's code", wt.Attempt)))
		case wt.State == enumspb.PENDING_WORKFLOW_TASK_STATE_STARTED && held > heartbeatThreshold:
			// A local activity running or retrying within the workflow task keeps it open
			// (the SDK heartbeats it every 8 s): its attempts stay in the worker until it
			// succeeds or its backoff outgrows the workflow task timeout.
			out = append(out, row(0, "", fmt.Sprintf("the worker has held the workflow task for %s: a local activity is slow or retrying",
				held.Round(time.Second))))
		}
	}
	if la, failure, ok := retryingLocalActivity(events); ok {
		out = append(out, row(la.Attempt, failure, fmt.Sprintf("local activity %s failed on attempt %d and retries in %s",
			la.ActivityType, la.Attempt, la.Backoff.Round(time.Second))))
	}
	return out, nil
}

// retryingLocalActivity reads the newest local activity marker of events (newest first):
// a failure with a backoff is a local activity waiting for its next attempt.
func retryingLocalActivity(events []*historypb.HistoryEvent) (localActivityMarkerData, string, bool) {
	for _, e := range events {
		m := e.GetMarkerRecordedEventAttributes()
		if m == nil || m.MarkerName != localActivityMarker {
			continue
		}
		var data localActivityMarkerData
		if m.Failure == nil || converter.GetDefaultDataConverter().FromPayloads(m.Details["data"], &data) != nil || data.Backoff <= 0 {
			return data, "", false
		}
		return data, m.Failure.GetMessage(), true
	}
	return localActivityMarkerData{}, "", false
}

// lastWorkflowTaskFailure is the message of the newest workflow task failure in events (newest first).
func lastWorkflowTaskFailure(events []*historypb.HistoryEvent) string {
	for _, e := range events {
		if a := e.GetWorkflowTaskFailedEventAttributes(); a != nil {
			return a.GetFailure().GetMessage()
		}
	}
	return ""
}

func stateName(s enumspb.WorkflowExecutionStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "WORKFLOW_EXECUTION_STATUS_"))
}

// workflowURL links to a workflow's run in the Temporal UI, or to a search for its ID.
func (f *StuckFinder) workflowURL(workflowID, runID string) string {
	base := strings.TrimSuffix(f.UIURL, "/") + "/namespaces/" + url.PathEscape(f.namespace()) + "/workflows"
	if runID != "" {
		return base + "/" + url.PathEscape(workflowID) + "/" + url.PathEscape(runID) + "/history"
	}
	return base + "?query=" + url.QueryEscape(fmt.Sprintf("WorkflowId=%q", workflowID))
}
