package models

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPrefectoralDecisionNotices(t *testing.T) {
	due := time.Date(2028, 6, 30, 0, 0, 0, 0, time.UTC)
	d := func(status Status, granted Cents, reason string) Dossier {
		return Dossier{ID: "p1", Kind: KindPrefectoral, Status: status, ApplicantSiren: "213500473", ApplicantName: "Bruz",
			GrantedCents: granted, Reason: reason}
	}
	cases := []struct {
		name   string
		dec    Decision
		what   string
		body   []string
		absent []string
	}{
		{"admissible", Decision{Before: d(StatusAdmissibility, 0, ""), After: d(StatusScoring, 0, "")},
			"dossier recevable", []string{"noter sur les cinq critères"}, nil},
		{"inadmissible", Decision{Before: d(StatusAdmissibility, 0, ""), After: d(StatusRefused, 0, ReasonInadmissible+"pas de délibération")},
			"dossier irrecevable", []string{"Motif : pas de délibération"}, []string{"inadmissible:"}},
		{"information requested", Decision{Before: d(StatusAdmissibility, 0, ""), After: d(StatusInfoRequested, 0, "Quelle équipe ?"), Deadline: &due},
			"demande d'informations", []string{"Quelle équipe ?", "30/06/2028"}, nil},
		{"scored", Decision{Before: d(StatusScoring, 0, ""), After: d(StatusScored, 0, "")},
			"dossier noté, en attente de programmation", []string{"prochaine séance de programmation"}, nil},
		{"granted under a CRTE", Decision{Before: d(StatusInSession, 0, ""), After: d(StatusAwaitingSignature, Euros(40_000), ""), CRTE: "CRTE Rennes Métropole"},
			"subvention accordée", []string{"40 000,00 €", "annexe financière du CRTE « CRTE Rennes Métropole »"}, []string{"avant le"}},
		{"granted with an agreement", Decision{Before: d(StatusInSession, 0, ""), After: d(StatusAwaitingSignature, Euros(40_000), ""), Deadline: &due},
			"subvention accordée, convention à signer", []string{"40 000,00 €", "signée par votre collectivité, puis par l'État avant le 30/06/2028"}, []string{"CRTE"}},
		{"refused by the préfet", Decision{Before: d(StatusInSession, 0, ""), After: d(StatusRefused, 0, ReasonRefusedByPrefet+"hors priorités")},
			"demande refusée par le préfet", []string{"Motif : hors priorités"}, []string{"refused by"}},
		{"postponed", Decision{Before: d(StatusInSession, 0, ""), After: d(StatusScored, 0, "")},
			"dossier ajourné", []string{"prochaine séance"}, []string{"Motif"}},
		{"postponed with the préfet's motivation", Decision{Before: d(StatusInSession, 0, ""), After: d(StatusScored, 0, ReasonPostponedByPrefet+"attendre le budget rectificatif")},
			"dossier ajourné", []string{"Le préfet a ajourné", "prochaine séance", "Motif : attendre le budget rectificatif"}, []string{"postponed by"}},
		{"postponed, the envelope short", Decision{Before: d(StatusInSession, 0, ""), After: d(StatusScored, 0, ReasonEnvelopeShort)},
			"dossier ajourné", []string{"l'enveloppe ne peut plus couvrir le montant accordé", "prochaine séance"}, []string{"Motif", "cannot cover"}},
		{"agreement signed", Decision{Before: d(StatusAwaitingSignature, Euros(40_000), ""), After: d(StatusInProgress, Euros(40_000), ""), Deadline: &due},
			"convention signée, projet en cours", []string{"40 000,00 €", "état récapitulatif final des dépenses avant le 30/06/2028"}, nil},
		{"advance paid", Decision{Before: d(StatusInProgress, Euros(40_000), ""), After: d(StatusInProgress, Euros(40_000), ""), Deadline: &due, PaidCents: Euros(12_000)},
			"avance versée", []string{"avance de 12 000,00 € sur la subvention de 40 000,00 €", "avant le 30/06/2028"}, nil},
		{"balance paid, recomputed", Decision{Before: d(StatusInProgress, Euros(40_000), ""), After: d(StatusPaid, Euros(30_000), "")},
			"subvention soldée", []string{"recalculée au prorata à 30 000,00 € (au lieu des 40 000,00 € accordés)"}, nil},
		{"balance paid in full", Decision{Before: d(StatusInProgress, Euros(40_000), ""), After: d(StatusPaid, Euros(40_000), "")},
			"subvention soldée", []string{"arrêtée à 40 000,00 €"}, []string{"prorata"}},
		{"recovery", Decision{Before: d(StatusInProgress, Euros(40_000), ""), After: d(StatusRecovery, Euros(40_000), ""), PaidCents: Euros(12_000)},
			"ordre de reversement", []string{"L'avance de 12 000,00 €"}, nil},
		{"lapsed without statement", Decision{Before: d(StatusInProgress, Euros(40_000), ""), After: d(StatusLapsed, Euros(40_000), "no final statement")},
			"subvention caduque", []string{"Aucun état récapitulatif final"}, []string{"convention de financement n'a pas été signée", "reversement"}},
		{"lapsed with recovery", Decision{Before: d(StatusRecovery, Euros(40_000), ""), After: d(StatusLapsed, Euros(40_000), "no final statement"), PaidCents: Euros(12_000)},
			"subvention caduque", []string{"Aucun état récapitulatif final", "L'avance de 12 000,00 € versée à votre collectivité fait l'objet d'un ordre de reversement"}, nil},
		{"agreement unsigned", Decision{Before: d(StatusAwaitingSignature, Euros(40_000), ""), After: d(StatusLapsed, Euros(40_000), "not signed")},
			"subvention caduque", []string{"La convention de financement n'a pas été signée à temps"}, nil},
		{"not eligible", Decision{Before: d(StatusChecking, 0, ""), After: d(StatusRefused, 0, "not eligible: population")},
			"demande refusée", []string{"Motif : not eligible: population"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, ok := DecisionNotice(tc.dec)
			require.True(t, ok)
			require.Equal(t, "Dossier p1 (Bruz) : "+tc.what, n.Subject)
			for _, want := range tc.body {
				require.Contains(t, n.Body, want)
			}
			for _, not := range tc.absent {
				require.NotContains(t, n.Body, not)
			}
		})
	}
	for _, step := range []Status{StatusChecking, StatusAdmissibility, StatusInSession} {
		_, ok := DecisionNotice(Decision{Before: d(StatusScored, 0, ""), After: d(step, 0, "")})
		require.False(t, ok, "%s is a step, no decision", step)
	}
}
