package filing

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
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
