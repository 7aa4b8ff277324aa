package models_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// juryOf returns a jury whose members have the given subjects.
func juryOf(subjects ...string) []models.JuryMember {
	out := make([]models.JuryMember, len(subjects))
	for i, s := range subjects {
		out[i] = models.JuryMember{Subject: s, Name: "Member " + s}
	}
	return out
}

func juryGrant(member string, amount models.Cents) models.Vote {
	return models.Vote{DossierID: "d1", Member: member, Choice: models.VoteGrant, AmountCents: amount}
}

func juryRefuse(member string) models.Vote {
	return models.Vote{DossierID: "d1", Member: member, Choice: models.VoteRefuse}
}

func juryRecuse(member string) models.Vote {
	return models.Vote{DossierID: "d1", Member: member, Choice: models.VoteRecuse}
}

func TestDecideJury(t *testing.T) {
	three := juryOf("chair", "a", "b")
	four := juryOf("chair", "a", "b", "c")
	five := juryOf("chair", "a", "b", "c", "d")
	tests := []struct {
		name    string
		members []models.JuryMember
		quorum  int
		votes   []models.Vote
		want    models.JuryOutcome
		missing string // substring of Missing; empty means Missing must be empty
		reason  string // substring of Reason when not empty
	}{
		{
			name: "no vote at all", members: three, quorum: 3,
			want:    models.JuryOutcome{},
			missing: "3 more vote(s) for the quorum of 3",
		},
		{
			name: "quorum not reached", members: five, quorum: 3,
			votes:   []models.Vote{juryGrant("a", 1000)},
			want:    models.JuryOutcome{},
			missing: "2 more vote(s) for the quorum of 3",
		},
		{
			name: "quorum one short", members: five, quorum: 3,
			votes:   []models.Vote{juryGrant("a", 1000), juryGrant("b", 2000)},
			want:    models.JuryOutcome{},
			missing: "1 more vote(s)",
		},
		{
			name: "majority grant, chair did not vote: lowest amount", members: five, quorum: 3,
			votes: []models.Vote{juryGrant("a", 3000), juryGrant("b", 2000), juryRefuse("c")},
			want:  models.JuryOutcome{Decided: true, Granted: true, AmountCents: 2000, Score: 666},
		},
		{
			name: "majority grant, chair refused: lowest amount", members: five, quorum: 3,
			votes: []models.Vote{juryGrant("a", 3000), juryGrant("b", 2500), juryGrant("c", 4000), juryRefuse("chair")},
			want:  models.JuryOutcome{Decided: true, Granted: true, AmountCents: 2500, Score: 750},
		},
		{
			name: "majority grant, chair granted: chair's amount even when higher", members: five, quorum: 3,
			votes: []models.Vote{juryGrant("a", 1000), juryGrant("chair", 5000), juryRefuse("b")},
			want:  models.JuryOutcome{Decided: true, Granted: true, AmountCents: 5000, Score: 666},
		},
		{
			name: "majority grant, chair granted: chair's amount even when lower", members: three, quorum: 3,
			votes: []models.Vote{juryGrant("a", 9000), juryGrant("chair", 4000), juryGrant("b", 7000)},
			want:  models.JuryOutcome{Decided: true, Granted: true, AmountCents: 4000, Score: 1000},
		},
		{
			name: "majority refuse", members: three, quorum: 3,
			votes: []models.Vote{juryGrant("a", 1000), juryRefuse("b"), juryRefuse("chair")},
			want:  models.JuryOutcome{Decided: true, Score: 333},
		},
		{
			name: "majority refuse although the chair granted", members: three, quorum: 3,
			votes: []models.Vote{juryGrant("chair", 1000), juryRefuse("a"), juryRefuse("b")},
			want:  models.JuryOutcome{Decided: true, Score: 333},
		},
		{
			name: "unanimous refusal", members: three, quorum: 2,
			votes: []models.Vote{juryRefuse("a"), juryRefuse("b")},
			want:  models.JuryOutcome{Decided: true, Score: 0},
		},
		{
			name: "tie, chair granted: granted with the chair's amount", members: four, quorum: 4,
			votes:  []models.Vote{juryGrant("chair", 6000), juryGrant("a", 2000), juryRefuse("b"), juryRefuse("c")},
			want:   models.JuryOutcome{Decided: true, Granted: true, AmountCents: 6000, Score: 500},
			reason: "chair broke the tie",
		},
		{
			name: "tie, chair refused: refused", members: four, quorum: 4,
			votes:  []models.Vote{juryRefuse("chair"), juryGrant("a", 2000), juryGrant("b", 3000), juryRefuse("c")},
			want:   models.JuryOutcome{Decided: true, Score: 500},
			reason: "chair broke the tie",
		},
		{
			name: "tie, chair has not voted: waits for the casting vote", members: five, quorum: 2,
			votes:   []models.Vote{juryGrant("a", 2000), juryRefuse("b")},
			want:    models.JuryOutcome{Score: 500},
			missing: "chair's casting vote",
		},
		{
			name: "tie, chair recused, a member left: waits for it", members: four, quorum: 2,
			votes:   []models.Vote{juryRecuse("chair"), juryGrant("a", 2000), juryRefuse("b")},
			want:    models.JuryOutcome{Score: 500},
			missing: "chair is recused",
		},
		{
			name: "tie, chair recused, everyone voted: refused", members: four, quorum: 2,
			votes:  []models.Vote{juryRecuse("chair"), juryRecuse("c"), juryGrant("a", 2000), juryRefuse("b")},
			want:   models.JuryOutcome{Decided: true, Score: 500},
			reason: "chair is recused",
		},
		{
			name: "recusal shrinks the quorum to the members left", members: three, quorum: 3,
			votes: []models.Vote{juryRecuse("b"), juryGrant("chair", 4000), juryGrant("a", 3000)},
			want:  models.JuryOutcome{Decided: true, Granted: true, AmountCents: 4000, Score: 1000},
		},
		{
			name: "recusal shrinks the quorum, one vote still missing", members: three, quorum: 3,
			votes:   []models.Vote{juryRecuse("b"), juryGrant("a", 3000)},
			want:    models.JuryOutcome{},
			missing: "1 more vote(s) for the quorum of 2",
		},
		{
			name: "a recused member's vote does not count, whatever the order", members: three, quorum: 3,
			votes:   []models.Vote{juryGrant("b", 3000), juryRecuse("b"), juryGrant("a", 3000)},
			want:    models.JuryOutcome{},
			missing: "1 more vote(s) for the quorum of 2",
		},
		{
			name: "everyone recused: refused", members: three, quorum: 2,
			votes:  []models.Vote{juryRecuse("chair"), juryRecuse("a"), juryRecuse("b")},
			want:   models.JuryOutcome{Decided: true},
			reason: "conflict of interest",
		},
		{
			name: "votes from non-members are ignored for the quorum", members: three, quorum: 2,
			votes:   []models.Vote{juryGrant("outsider", 1000), juryGrant("intruder", 1000), juryGrant("a", 5000)},
			want:    models.JuryOutcome{},
			missing: "1 more vote(s) for the quorum of 2",
		},
		{
			name: "votes from non-members are ignored for the majority and amount", members: three, quorum: 3,
			votes: []models.Vote{
				juryGrant("outsider", 1), juryGrant("intruder", 1), juryGrant("stranger", 1),
				juryGrant("a", 5000), juryRefuse("b"), juryRefuse("chair"),
			},
			want: models.JuryOutcome{Decided: true, Score: 333},
		},
		{
			name: "a non-member's grant does not lower the amount", members: three, quorum: 2,
			votes: []models.Vote{juryGrant("outsider", 1), juryGrant("a", 5000), juryGrant("b", 7000)},
			want:  models.JuryOutcome{Decided: true, Granted: true, AmountCents: 5000, Score: 1000},
		},
		{
			name: "a non-member's recusal shrinks nothing", members: three, quorum: 3,
			votes:   []models.Vote{juryRecuse("outsider"), juryGrant("a", 5000), juryGrant("b", 7000)},
			want:    models.JuryOutcome{},
			missing: "1 more vote(s) for the quorum of 3",
		},
		{
			name: "score counts every vote cast once the quorum is reached", members: five, quorum: 3,
			votes: []models.Vote{juryGrant("a", 1000), juryGrant("b", 1000), juryGrant("c", 1000), juryRefuse("d"), juryRefuse("chair")},
			want:  models.JuryOutcome{Decided: true, Granted: true, AmountCents: 1000, Score: 600},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := models.DecideJury(tt.members, "chair", tt.quorum, tt.votes)
			if tt.missing == "" {
				require.Empty(t, got.Missing)
			} else {
				require.Contains(t, got.Missing, tt.missing)
				require.False(t, got.Decided, "a decision waiting for something is not decided")
			}
			if tt.reason != "" {
				require.Contains(t, got.Reason, tt.reason)
			}
			if got.Decided {
				require.NotEmpty(t, got.Reason, "a decision gives its reason")
			}
			got.Missing, got.Reason = "", ""
			require.Equal(t, tt.want, got)
		})
	}
}

func TestDecideJuryScore(t *testing.T) {
	tests := []struct {
		grants, refusals int
		want             int
	}{
		{1, 0, 1000},
		{0, 1, 0},
		{2, 1, 666},
		{1, 2, 333},
		{3, 1, 750},
		{1, 3, 250},
		{2, 5, 285},
		{5, 2, 714},
	}
	for _, tt := range tests {
		var members []models.JuryMember
		var votes []models.Vote
		for i := range tt.grants + tt.refusals {
			s := string(rune('a' + i))
			members = append(members, models.JuryMember{Subject: s})
			if i < tt.grants {
				votes = append(votes, juryGrant(s, 100))
			} else {
				votes = append(votes, juryRefuse(s))
			}
		}
		got := models.DecideJury(members, "a", len(members), votes)
		require.True(t, got.Decided, "%d/%d", tt.grants, tt.refusals)
		require.Equal(t, tt.want, got.Score, "%d grants, %d refusals", tt.grants, tt.refusals)
		require.Equal(t, tt.grants > tt.refusals, got.Granted, "%d grants, %d refusals", tt.grants, tt.refusals)
	}
}
