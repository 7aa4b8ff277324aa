package filing

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/mocks"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relance/relance/models"
)

func marker(t *testing.T, failure string, data localActivityMarkerData) *historypb.HistoryEvent {
	t.Helper()
	payloads, err := converter.GetDefaultDataConverter().ToPayloads(data)
	require.NoError(t, err)
	m := &historypb.MarkerRecordedEventAttributes{MarkerName: localActivityMarker, Details: map[string]*commonpb.Payloads{"data": payloads}}
	if failure != "" {
		m.Failure = &failurepb.Failure{Message: failure}
	}
	return &historypb.HistoryEvent{Attributes: &historypb.HistoryEvent_MarkerRecordedEventAttributes{MarkerRecordedEventAttributes: m}}
}

func timerStarted() *historypb.HistoryEvent {
	return &historypb.HistoryEvent{Attributes: &historypb.HistoryEvent_TimerStartedEventAttributes{TimerStartedEventAttributes: &historypb.TimerStartedEventAttributes{}}}
}

func TestRetryingLocalActivityReadsTheNewestMarker(t *testing.T) {
	failed := localActivityMarkerData{ActivityType: "RecordStatus", Attempt: 8, Backoff: 25 * time.Second}
	cases := map[string]struct {
		events  []*historypb.HistoryEvent // newest first
		want    bool
		failure string
	}{
		"failed, waiting for its backoff": {[]*historypb.HistoryEvent{timerStarted(), marker(t, "connection refused", failed)}, true, "connection refused"},
		"succeeded after failing":         {[]*historypb.HistoryEvent{marker(t, "", localActivityMarkerData{ActivityType: "RecordStatus", Attempt: 9}), timerStarted(), marker(t, "connection refused", failed)}, false, ""},
		"failed for good":                 {[]*historypb.HistoryEvent{marker(t, "not found", localActivityMarkerData{ActivityType: "Task", Attempt: 1})}, false, ""},
		"no local activity":               {[]*historypb.HistoryEvent{timerStarted()}, false, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			data, failure, ok := retryingLocalActivity(c.events)
			require.Equal(t, c.want, ok)
			require.Equal(t, c.failure, failure)
			if ok {
				require.Equal(t, failed, data)
			}
		})
	}
}

func TestLastWorkflowTaskFailure(t *testing.T) {
	failedTask := func(msg string) *historypb.HistoryEvent {
		return &historypb.HistoryEvent{Attributes: &historypb.HistoryEvent_WorkflowTaskFailedEventAttributes{
			WorkflowTaskFailedEventAttributes: &historypb.WorkflowTaskFailedEventAttributes{Failure: &failurepb.Failure{Message: msg}}}}
	}
	require.Equal(t, "nondeterminism: newest", lastWorkflowTaskFailure([]*historypb.HistoryEvent{timerStarted(), failedTask("nondeterminism: newest"), failedTask("older")}))
	require.Empty(t, lastWorkflowTaskFailure([]*historypb.HistoryEvent{timerStarted()}))
}

func TestStuckCursorRoundTrip(t *testing.T) {
	due := time.Date(2026, 11, 26, 1, 2, 3, 456789, time.UTC)
	for _, c := range []StuckCursor{{DueAt: due, TaskID: "d.disbursement.0"}, {Scan: true}, {Scan: true, DossierID: "0195"}} {
		got, ok := ParseStuckCursor(c.String())
		require.True(t, ok, c.String())
		require.Equal(t, c, got)
	}
	for _, bad := range []string{"", "scan", "tasks|", "tasks|2026-11-26T01:02:03Z|", "tasks|yesterday|x", "other|x"} {
		_, ok := ParseStuckCursor(bad)
		require.False(t, ok, bad)
	}
}

func TestWorkflowURL(t *testing.T) {
	f := &StuckFinder{UIURL: "https://temporal.example.fr/", Namespace: "relance-prod"}
	require.Equal(t, "https://temporal.example.fr/namespaces/relance-prod/workflows/dossier-1/run-2/history", f.workflowURL("dossier-1", "run-2"))
	require.Equal(t, `https://temporal.example.fr/namespaces/relance-prod/workflows?query=WorkflowId%3D%22dossier-1%22`, f.workflowURL("dossier-1", ""))
	require.Equal(t, "http://localhost:8233/namespaces/default/workflows/w/r/history", (&StuckFinder{UIURL: "http://localhost:8233"}).workflowURL("w", "r"))
}

// fakeHistory answers the reverse history of a workflow with events, newest first.
type fakeHistory struct {
	workflowservice.WorkflowServiceClient
	events []*historypb.HistoryEvent
}

func (f fakeHistory) GetWorkflowExecutionHistoryReverse(context.Context, *workflowservice.GetWorkflowExecutionHistoryReverseRequest,
	...grpc.CallOption) (*workflowservice.GetWorkflowExecutionHistoryReverseResponse, error) {
	return &workflowservice.GetWorkflowExecutionHistoryReverseResponse{History: &historypb.History{Events: f.events}}, nil
}

// TestFailuresReadsTheDescriptionAndTheLatestEvents: an activity retrying, a failing
// workflow task and a local activity backing off are each a row with attempt and failure;
// a workflow task the worker has held for 7 s is a row without them.
func TestFailuresReadsTheDescriptionAndTheLatestEvents(t *testing.T) {
	now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	failedTask := &historypb.HistoryEvent{Attributes: &historypb.HistoryEvent_WorkflowTaskFailedEventAttributes{
		WorkflowTaskFailedEventAttributes: &historypb.WorkflowTaskFailedEventAttributes{Failure: &failurepb.Failure{Message: "nondeterministic"}}}}
	backingOff := marker(t, "database unavailable", localActivityMarkerData{ActivityType: "RecordStatus", Attempt: 8, Backoff: 25 * time.Second})
	cases := map[string]struct {
		desc   *workflowservice.DescribeWorkflowExecutionResponse
		events []*historypb.HistoryEvent
		want   []models.StuckDossier
	}{
		"an activity on its third attempt": {
			desc: &workflowservice.DescribeWorkflowExecutionResponse{PendingActivities: []*workflowpb.PendingActivityInfo{
				{ActivityType: &commonpb.ActivityType{Name: "SendMail"}, Attempt: 3, LastFailure: &failurepb.Failure{Message: "relay down"}},
				{ActivityType: &commonpb.ActivityType{Name: "Fine"}, Attempt: 1}}},
			want: []models.StuckDossier{{Attempt: 3, LastFailure: "relay down", Details: "activity SendMail is on attempt 3"}},
		},
		"a failing workflow task": {
			desc:   &workflowservice.DescribeWorkflowExecutionResponse{PendingWorkflowTask: &workflowpb.PendingWorkflowTaskInfo{Attempt: 4}},
			events: []*historypb.HistoryEvent{failedTask},
			want: []models.StuckDossier{{Attempt: 4, LastFailure: "nondeterministic",
				Details: "the workflow task is failing (attempt 4): the worker cannot run this workflow's code"}},
		},
		"a workflow task held by a local activity": {
			desc: &workflowservice.DescribeWorkflowExecutionResponse{PendingWorkflowTask: &workflowpb.PendingWorkflowTaskInfo{Attempt: 1,
				State: enumspb.PENDING_WORKFLOW_TASK_STATE_STARTED, StartedTime: timestamppb.New(now.Add(-7 * time.Second))}},
			want: []models.StuckDossier{{Details: "the worker has held the workflow task for 7s: a local activity is slow or retrying"}},
		},
		"a workflow task just started": {
			desc: &workflowservice.DescribeWorkflowExecutionResponse{PendingWorkflowTask: &workflowpb.PendingWorkflowTaskInfo{Attempt: 1,
				State: enumspb.PENDING_WORKFLOW_TASK_STATE_STARTED, StartedTime: timestamppb.New(now.Add(-time.Second))}},
		},
		"a local activity backing off": {
			desc:   &workflowservice.DescribeWorkflowExecutionResponse{},
			events: []*historypb.HistoryEvent{timerStarted(), backingOff},
			want: []models.StuckDossier{{Attempt: 8, LastFailure: "database unavailable",
				Details: "local activity RecordStatus failed on attempt 8 and retries in 25s"}},
		},
		"healthy": {desc: &workflowservice.DescribeWorkflowExecutionResponse{}},
	}
	d := models.Dossier{ID: "d1", Kind: models.KindGuichet, Status: models.StatusAwaitingPayment}
	r := run{exec: &commonpb.WorkflowExecution{WorkflowId: "dossier-d1", RunId: "r1"}, state: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
		status: models.StatusAwaitingPayment}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			tc := &mocks.Client{}
			tc.On("DescribeWorkflowExecution", mock.Anything, "dossier-d1", "r1").Return(c.desc, nil)
			tc.On("WorkflowService").Return(fakeHistory{events: c.events})
			f := &StuckFinder{Temporal: tc, UIURL: "http://ui", Now: func() time.Time { return now }}
			got, err := f.failures(context.Background(), d, r)
			require.NoError(t, err)
			for i := range c.want {
				c.want[i].DossierID, c.want[i].Kind, c.want[i].Status, c.want[i].Trouble = d.ID, d.Kind, d.Status, models.TroubleRetrying
				c.want[i].WorkflowState, c.want[i].WorkflowStatus = "running", models.StatusAwaitingPayment
				c.want[i].WorkflowURL = "http://ui/namespaces/default/workflows/dossier-d1/r1/history"
			}
			require.Equal(t, c.want, got)
		})
	}
}
