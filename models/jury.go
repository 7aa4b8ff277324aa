package models

import (
	"fmt"
	"slices"
	"time"
)

// VoteChoice is what a jury member records on a dossier.
type VoteChoice string

const (
	VoteGrant  VoteChoice = "grant"
	VoteRefuse VoteChoice = "refuse"
	// VoteRecuse declares a conflict of interest: the member no longer votes on the dossier.
	VoteRecuse VoteChoice = "recuse"
)

// Vote is one member's vote (or recusal) on a dossier.
type Vote struct {
	DossierID   string     `json:"dossier_id"`
	Member      string     `json:"member"`
	Choice      VoteChoice `json:"vote"`
	AmountCents Cents      `json:"amount_cents,omitempty"`
	Comment     string     `json:"comment,omitempty"`
	At          time.Time  `json:"at"`
}

// JuryOutcome is where a jury stands on a dossier.
type JuryOutcome struct {
	Decided bool `json:"decided"`
	Granted bool `json:"granted"`
	// AmountCents is the grant: the chair's amount when the chair voted to grant, else the
	// lowest amount among the members voting to grant.
	AmountCents Cents `json:"amount_cents,omitempty"`
	// Score ranks laureates for the waiting list: the share of grant votes, per thousand.
	Score int `json:"score"`
	// Missing says what the decision still waits for.
	Missing string `json:"missing,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// DecideJury applies the jury's rules: recused members do not vote; the decision stands once
// the quorum of non-recused members has voted (the quorum shrinks to the members left when
// recusals leave fewer); the majority decides and the chair breaks ties.
func DecideJury(members []JuryMember, chair string, quorum int, votes []Vote) JuryOutcome {
	recused := map[string]bool{}
	cast := map[string]Vote{}
	for _, v := range votes {
		if v.Choice == VoteRecuse {
			recused[v.Member] = true
		} else {
			cast[v.Member] = v
		}
	}
	var voters []string
	for _, m := range members {
		if !recused[m.Subject] {
			voters = append(voters, m.Subject)
		}
	}
	if len(voters) == 0 {
		return JuryOutcome{Decided: true, Reason: "every member of the jury declared a conflict of interest"}
	}
	need := max(1, min(quorum, len(voters)))
	var grants, refusals int
	var amounts []Cents
	for _, m := range voters {
		v, ok := cast[m]
		switch {
		case !ok:
		case v.Choice == VoteGrant:
			grants++
			amounts = append(amounts, v.AmountCents)
		default:
			refusals++
		}
	}
	if grants+refusals < need {
		return JuryOutcome{Missing: fmt.Sprintf("%d more vote(s) for the quorum of %d", need-(grants+refusals), need)}
	}
	score := grants * 1000 / (grants + refusals)
	chairVote, chairVoted := cast[chair]
	granted := grants > refusals
	reason := fmt.Sprintf("%d vote(s) to grant, %d to refuse", grants, refusals)
	if grants == refusals {
		switch {
		case recused[chair] && grants+refusals < len(voters):
			return JuryOutcome{Score: score, Missing: "the other members' votes: a tie, and the chair is recused"}
		case recused[chair]:
			return JuryOutcome{Decided: true, Score: score, Reason: reason + "; a tie, and the chair is recused: no majority to grant"}
		case !chairVoted:
			return JuryOutcome{Score: score, Missing: "the chair's casting vote to break a tie"}
		}
		granted = chairVote.Choice == VoteGrant
		reason += "; the chair broke the tie"
	}
	if !granted {
		return JuryOutcome{Decided: true, Score: score, Reason: reason}
	}
	amount := slices.Min(amounts)
	if chairVoted && chairVote.Choice == VoteGrant {
		amount = chairVote.AmountCents
	}
	return JuryOutcome{Decided: true, Granted: true, AmountCents: amount, Score: score, Reason: reason}
}
