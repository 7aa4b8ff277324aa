package web

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestAuditEventsInFrench reads each detail in the English form its writer stores (the
// workflows' task board and service build, the activities, the store, the refusals) and
// writes the event in French; a detail no rule reads is shown as stored.
func TestAuditEventsInFrench(t *testing.T) {
	for _, tt := range []struct{ action, detail, want string }{
		{models.AuditTaskOpened, "service_route task for the instructor role, due 2026-05-03",
			"Tâche ouverte — « Choix de la voie d'un service » pour le rôle Instruction, à rendre le 03/05/2026"},
		{models.AuditTaskOpened, "committee_opinions task for comite.amf", "Tâche ouverte — « Avis du comité de sélection » pour comite.amf"},
		{models.AuditTaskCompleted, "service_route: routed Aucun service existant ne répond.",
			"Tâche terminée — « Choix de la voie d'un service » : Voie choisie — Aucun service existant ne répond."},
		{models.AuditTaskCompleted, "service_payment: paid ", "Tâche terminée — « Paiement sur le budget d'un service » : Payé"},
		{models.AuditTaskCancelled, "service_payment: the service is delivered",
			"Tâche annulée — « Paiement sur le budget d'un service » — le service est livré"},
		{models.AuditTaskCancelled, "service_payment: a reason of tomorrow", "Tâche annulée — « Paiement sur le budget d'un service » — a reason of tomorrow"},
		{models.AuditTaskClaimed, "claimed by instructrice.anct", "Tâche prise — par instructrice.anct"},
		{models.AuditTaskUnclaimed, "released by admin", "Tâche rendue — par admin"},
		{models.AuditTaskReminded, "Reminder: service_beta task due 2026-06-01 (dossier 0190f3b4)",
			"Relance envoyée — « Jalon : bêta avec les territoires référents », à rendre le 01/06/2026"},
		{models.AuditTaskEscalated, "Overdue: service_beta task was due 2026-06-01 (dossier 0190f3b4)",
			"Retard signalé — « Jalon : bêta avec les territoires référents », attendue le 01/06/2026"},
		{models.AuditTaskReassigned, "reassigned from nobody to finance.bis by admin: finance.anct est en congé",
			"Tâche réattribuée — de personne à finance.bis, par admin — finance.anct est en congé"},
		{models.AuditTaskExtended, "service_delivery task due 2026-07-01T10:00:00Z (was 2026-06-01T10:00:00Z), moved by admin: attente du contrat",
			"Échéance reportée — « Livraison au Territoires Store » à rendre le 01/07/2026 à 12:00 au lieu du 01/06/2026 à 12:00, par admin — attente du contrat"},
		{models.AuditRefusedAttempt, "POST /taches/t1/prendre by agent.rennes [applicant,partner] refused, forbidden: this action needs the instructor role",
			"Tentative refusée — « POST /taches/t1/prendre » par agent.rennes (Collectivité, Partenaire) : Action non autorisée — " +
				refusalFR("this action needs the instructor role")},
		{models.AuditRefusedAttempt, "POST /taches/t1 by instr [instructor] refused, invalid: data.contact: must not be blank",
			"Tentative refusée — « POST /taches/t1 » par instr (Instruction) : Le formulaire contient des erreurs — data.contact : Ce champ ne peut pas rester vide."},
		{models.AuditRefusedAttempt, "POST /taches/t1 by instr [instructor] refused, invalid: invalid input",
			"Tentative refusée — « POST /taches/t1 » par instr (Instruction) : Le formulaire contient des erreurs — plusieurs champs sont à corriger"},
		{models.AuditServiceCreated, "Rendez-vous, en ligne, estimated at 350 000,00 €", "Service candidat créé — « Rendez-vous, en ligne », coût estimé à 350 000,00 €"},
		{models.AuditServiceMerged, "service 0190f3b4-0000-7000-8000-00000000000a merged into 0190f3b4-0000-7000-8000-00000000000b (2 proposal(s) moved)",
			"Services fusionnés — le service 0190f3b4 est fusionné dans le service 0190f3b4 (2 proposition(s) déplacée(s))"},
		{models.AuditServiceCost, "estimated at 250 000,00 €: deux devis", "Coût estimé — estimé à 250 000,00 € — deux devis"},
		{models.AuditServiceSelected, "selected with a budget of 400 000,00 €: Un besoin partagé.",
			"Service sélectionné — avec un budget de 400 000,00 € — Un besoin partagé."},
		{models.AuditServiceNotSelected, "Des solutions existent déjà.", "Service non sélectionné — Des solutions existent déjà."},
		{models.AuditServiceRouted, "incubator: Aucun service existant.",
			"Voie choisie — Construction d'un nouveau service à l'Incubateur des Territoires — Aucun service existant."},
		{models.AuditServiceVehicle, "scic SCIC Services des Territoires, funded with 50 000,00 €",
			"Structure porteuse financée — Société coopérative d'intérêt collectif (SCIC) « SCIC Services des Territoires », financée à hauteur de 50 000,00 €"},
		{models.AuditServicePaid, "12 500,50 € paid against the budget (payment/0), reference CHORUS-42",
			"Paiement sur le budget du service — 12 500,50 € payés sur le budget du service (paiement n° 1), référence CHORUS-42"},
		{models.AuditServicePaid, "50 000,00 € paid against the budget (vehicle), reference VIR-1",
			"Paiement sur le budget du service — 50 000,00 € payés sur le budget du service (financement de la structure porteuse), référence VIR-1"},
		{models.AuditServiceDelivered, "delivered: published in the Territoires Store; 337 499,50 € of its budget back to the envelope",
			"Service livré — publié au Territoires Store ; 337 499,50 € du budget rendus à l'enveloppe"},
		{models.AuditReferentConfirmed, "territoire référent: SIREN 213502388", "Territoire référent confirmé — SIREN 213502388"},
		{models.AuditProposalMoved, "grouped into service 0190f3b4-0000-7000-8000-00000000000a", "Proposition déplacée — regroupée dans le service 0190f3b4"},
		{models.AuditProposalMoved, "moved from service 0190f3b4-aaaa into service 0190f3b5-bbbb", "Proposition déplacée — du service 0190f3b4 au service 0190f3b5"},
		{models.AuditTaskOpened, "", "Tâche ouverte"},
		{"an_action_of_tomorrow", "its detail", "an_action_of_tomorrow — its detail"},
	} {
		require.Equal(t, tt.want, auditEventFR(models.AuditEvent{Action: tt.action, Detail: tt.detail}), "%s: %s", tt.action, tt.detail)
	}
}
