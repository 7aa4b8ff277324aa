package models

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStatusTable pins each status's string value (recorded in workflow histories and the
// database) and its flags, row by row.
func TestStatusTable(t *testing.T) {
	type flags struct{ terminal, awaits, money, withdrawable, jury bool }
	want := []struct {
		status Status
		value  string
		flags  flags
	}{
		{StatusDraft, "draft", flags{}},
		{StatusSubmitted, "submitted", flags{withdrawable: true}},
		{StatusChecking, "checking", flags{withdrawable: true}},
		{StatusIncomplete, "incomplete", flags{awaits: true, withdrawable: true}},
		{StatusPreselection, "preselection", flags{awaits: true, withdrawable: true}},
		{StatusInfoRequested, "info_requested", flags{awaits: true, withdrawable: true}},
		{StatusPreselected, "preselected", flags{awaits: true, withdrawable: true}},
		{StatusJury, "jury", flags{awaits: true, withdrawable: true, jury: true}},
		{StatusWaitingList, "waiting_list", flags{awaits: true, withdrawable: true, jury: true}},
		{StatusAwaitingSignature, "awaiting_signature", flags{awaits: true, money: true, withdrawable: true, jury: true}},
		{StatusLapsed, "lapsed", flags{terminal: true, jury: true}},
		{StatusRefused, "refused", flags{terminal: true, jury: true}},
		{StatusAwaitingPayment, "awaiting_payment", flags{awaits: true, money: true, jury: true}},
		{StatusPaid, "paid", flags{terminal: true, jury: true}},
		{StatusClosedWithoutAction, "closed_without_action", flags{terminal: true}},
		{StatusWithdrawn, "withdrawn", flags{terminal: true}},
		{StatusAdmissibility, "admissibility", flags{awaits: true, withdrawable: true}},
		{StatusScoring, "scoring", flags{awaits: true, withdrawable: true}},
		{StatusScored, "scored", flags{awaits: true, withdrawable: true}},
		{StatusInSession, "in_session", flags{awaits: true, withdrawable: true}},
		{StatusInProgress, "in_progress", flags{awaits: true, money: true}},
		{StatusRecovery, "recovery", flags{awaits: true}},
		{StatusReview, "review", flags{}},
		{StatusAccepted, "accepted", flags{}},
		{StatusMerged, "merged", flags{}},
		{StatusOutOfScope, "out_of_scope", flags{terminal: true}},
		{StatusSelected, "selected", flags{}},
		{StatusNotSelected, "not_selected", flags{terminal: true}},
		{StatusDelivered, "delivered", flags{terminal: true}},
		{StatusServiceMerged, "service_merged", flags{terminal: true}},
	}
	require.Len(t, Statuses, len(want), "every status has a row, once")
	for i, w := range want {
		t.Run(w.value, func(t *testing.T) {
			require.Equal(t, w.value, string(w.status))
			require.Equal(t, w.status, Statuses[i], "Statuses keeps the table's order")
			got := StatusOf(w.status)
			require.Equal(t, w.flags, flags{got.Terminal, got.AwaitsSomeone, got.HoldsMoney, got.Withdrawable, got.JuryVisible})
			require.NotEmpty(t, got.Label)
			require.Equal(t, got.Withdrawable, Withdrawable(w.status))
			require.Equal(t, got.JuryVisible, ReachedJury(w.status))
			require.Equal(t, got.JuryVisible, slices.Contains(JuryStatuses, w.status))
			require.Equal(t, got.AwaitsSomeone, AwaitsSomeone(w.status))
		})
	}
}

// TestStatusFlagsAgree checks what the flags imply of one another: an ended process waits
// on nobody, holds no money and cannot be withdrawn.
func TestStatusFlagsAgree(t *testing.T) {
	labels := map[string]Status{}
	for _, i := range statusTable {
		if i.Terminal {
			require.False(t, i.AwaitsSomeone || i.HoldsMoney || i.Withdrawable, "%s ended but %+v", i.Status, i)
		}
		if i.HoldsMoney {
			require.True(t, i.AwaitsSomeone, "%s holds money for someone's act", i.Status)
		}
		require.NotContains(t, labels, i.Label, "%s and %s share a label", labels[i.Label], i.Status)
		labels[i.Label] = i.Status
	}
}

func TestUnknownStatusHasNoFlag(t *testing.T) {
	require.Equal(t, StatusInfo{Status: "archived"}, StatusOf("archived"))
	require.False(t, Withdrawable("archived") || ReachedJury("archived") || AwaitsSomeone("archived"))
	require.NotContains(t, Statuses, Status("archived"))
}

func TestOpenTaskStatuses(t *testing.T) {
	for s, open := range map[TaskStatus]bool{TaskOpen: true, TaskClaimed: true, TaskDone: false, TaskCancelled: false, "": false} {
		require.Equal(t, open, s.Open(), s)
	}
}
