package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/relance/relance/models"
)

type serviceRow struct {
	ID                 string `gorm:"primaryKey"`
	CampaignID         string
	Title              string
	Description        string
	Status             string
	EstimatedCostCents models.Cents
	CostNote           string
	MergedInto         string
	BudgetCents        models.Cents
	DecisionReason     string
	Route              string
	RouteNote          string
	PaidCents          models.Cents
	Vehicle            string
	VehicleName        string
	VehicleCents       models.Cents
	HowToJoin          string
	Contact            string
	CreatedBy          string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (serviceRow) TableName() string { return "candidate_services" }

func (r serviceRow) model(proposals []string) models.CandidateService {
	if proposals == nil {
		proposals = []string{}
	}
	return models.CandidateService{ID: r.ID, CampaignID: r.CampaignID, Title: r.Title, Description: r.Description,
		Status: models.ServiceStatus(r.Status), EstimatedCostCents: r.EstimatedCostCents, CostNote: r.CostNote, MergedInto: r.MergedInto,
		BudgetCents: r.BudgetCents, DecisionReason: r.DecisionReason, Route: models.ServiceRoute(r.Route), HowToJoin: r.HowToJoin,
		Contact: r.Contact, ProposalIDs: proposals, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// setServiceStatusTx moves a service, and its reference row among the dossiers, to status.
// more are further columns of the service's row to set.
func (s *Store) setServiceStatusTx(tx *gorm.DB, id string, status models.ServiceStatus, more map[string]any) error {
	updates := map[string]any{"status": string(status), "updated_at": s.now()}
	for k, v := range more {
		updates[k] = v
	}
	if err := tx.Model(&serviceRow{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return err
	}
	return tx.Model(&dossierRow{}).Where("id = ? AND kind = ?", id, string(models.KindService)).
		Updates(map[string]any{"status": string(models.ServiceDossierStatus(status)), "updated_at": s.now()}).Error
}

type serviceProposalRow struct {
	DossierID string `gorm:"primaryKey"`
	ServiceID string
}

func (serviceProposalRow) TableName() string { return "service_proposals" }

// serviceAudit writes one grouping act in the trail of the service (or proposal) it concerns.
func (s *Store) serviceAudit(tx *gorm.DB, subject, actor, action, detail string) error {
	key := fmt.Sprintf("%s/%s/%d", subject, action, s.now().UnixNano())
	return s.auditTx(tx, key, models.AuditEvent{DossierID: subject, Actor: actor, Action: action, Detail: detail})
}

// CreateService records a candidate service grouping the given proposals, moved from any
// service they were in (a split, when they come from one), in one transaction.
func (s *Store) CreateService(ctx context.Context, svc models.CandidateService) (models.CandidateService, error) {
	now := s.now()
	row := serviceRow{ID: svc.ID, CampaignID: svc.CampaignID, Title: svc.Title, Description: svc.Description,
		Status: string(models.ServiceCandidate), EstimatedCostCents: svc.EstimatedCostCents, CostNote: svc.CostNote,
		CreatedBy: svc.CreatedBy, CreatedAt: now, UpdatedAt: now}
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var campaign campaignRow
		if err := tx.Take(&campaign, "id = ?", svc.CampaignID).Error; err != nil {
			return notFound(err, "no campaign %s", svc.CampaignID)
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		// Its reference row: what its tasks, trail and process hang on (migration 00020).
		if err := tx.Create(&dossierRow{ID: svc.ID, Kind: string(models.KindService), Status: string(models.StatusAccepted),
			EnvelopeCode: campaign.EnvelopeCode, Payload: "{}", CreatedBy: svc.CreatedBy, CallID: svc.CampaignID,
			CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			return err
		}
		if err := s.serviceAudit(tx, svc.ID, svc.CreatedBy, models.AuditServiceCreated,
			fmt.Sprintf("%s, estimated at %s", svc.Title, models.FormatEuros(svc.EstimatedCostCents))); err != nil {
			return err
		}
		for i, id := range svc.ProposalIDs {
			if err := s.moveProposalTx(tx, svc.CampaignID, svc.ID, id, svc.CreatedBy, fmt.Sprintf("proposal_ids[%d]", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return svc, err
	}
	return s.Service(ctx, svc.ID)
}

// moveProposalTx puts a proposal into a service of the same campaign, once the review has
// let it into the vote. field names the request's field, for the refusal.
func (s *Store) moveProposalTx(tx *gorm.DB, campaignID, serviceID, dossierID, actor, field string) error {
	var d dossierRow
	err := tx.Take(&d, "id = ?", dossierID).Error
	switch {
	case err == gorm.ErrRecordNotFound:
		return models.FieldErrors(map[string]string{field: "is not a dossier"})
	case err != nil:
		return err
	case models.DossierKind(d.Kind) != models.KindCoConstruction || d.CallID != campaignID:
		return models.FieldErrors(map[string]string{field: "is not a proposal of this campaign"})
	case !models.Groupable(models.Status(d.Status)):
		return models.FieldErrors(map[string]string{field: fmt.Sprintf("is %s: only proposals the review let into the vote are grouped", d.Status)})
	}
	var prev serviceProposalRow
	if err := tx.Where("dossier_id = ?", dossierID).Limit(1).Find(&prev).Error; err != nil {
		return err
	}
	if prev.ServiceID == serviceID {
		return nil
	}
	if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dossier_id"}}, DoUpdates: clause.AssignmentColumns([]string{"service_id"})}).
		Create(&serviceProposalRow{DossierID: dossierID, ServiceID: serviceID}).Error; err != nil {
		return err
	}
	detail := "grouped into service " + serviceID
	if prev.ServiceID != "" {
		detail = fmt.Sprintf("moved from service %s into service %s", prev.ServiceID, serviceID)
	}
	return s.serviceAudit(tx, dossierID, actor, models.AuditProposalMoved, detail)
}

// candidateTx loads a candidate service of the campaign, locked, refusing one that no longer is.
func (s *Store) candidateTx(tx *gorm.DB, campaignID, id string) (serviceRow, error) {
	var row serviceRow
	if err := lockForUpdate(tx, s.sqlite).Take(&row, "id = ? AND campaign_id = ?", id, campaignID).Error; err != nil {
		return row, notFound(err, "no candidate service %s in campaign %s", id, campaignID)
	}
	if row.Status != string(models.ServiceCandidate) {
		return row, models.Errorf(models.EConflict, "service %s is %s", id, row.Status)
	}
	return row, nil
}

// MoveProposal moves a proposal into a candidate service of its campaign.
func (s *Store) MoveProposal(ctx context.Context, campaignID, serviceID, dossierID, actor string) (models.CandidateService, error) {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if _, err := s.candidateTx(tx, campaignID, serviceID); err != nil {
			return err
		}
		return s.moveProposalTx(tx, campaignID, serviceID, dossierID, actor, "dossier_id")
	})
	if err != nil {
		return models.CandidateService{}, err
	}
	return s.Service(ctx, serviceID)
}

// MergeServices merges a candidate service into another of the same campaign: its
// proposals move there, and it is closed as merged.
func (s *Store) MergeServices(ctx context.Context, campaignID, fromID, intoID, actor string) (models.CandidateService, error) {
	if fromID == intoID {
		return models.CandidateService{}, models.FieldErrors(map[string]string{"into_service_id": "is the service itself"})
	}
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if _, err := s.candidateTx(tx, campaignID, fromID); err != nil {
			return err
		}
		if _, err := s.candidateTx(tx, campaignID, intoID); err != nil {
			return err
		}
		var moved []serviceProposalRow
		if err := tx.Where("service_id = ?", fromID).Order("dossier_id").Find(&moved).Error; err != nil {
			return err
		}
		for _, m := range moved {
			if err := s.moveProposalTx(tx, campaignID, intoID, m.DossierID, actor, "into_service_id"); err != nil {
				return err
			}
		}
		if err := s.setServiceStatusTx(tx, fromID, models.ServiceMerged, map[string]any{"merged_into": intoID}); err != nil {
			return err
		}
		detail := fmt.Sprintf("service %s merged into %s (%d proposal(s) moved)", fromID, intoID, len(moved))
		if err := s.serviceAudit(tx, fromID, actor, models.AuditServiceMerged, detail); err != nil {
			return err
		}
		return s.serviceAudit(tx, intoID, actor, models.AuditServiceMerged, detail)
	})
	if err != nil {
		return models.CandidateService{}, err
	}
	return s.Service(ctx, intoID)
}

// SetServiceCost records ANCT's estimate of a candidate service's build and deploy cost.
func (s *Store) SetServiceCost(ctx context.Context, campaignID, id string, cost models.Cents, note, actor string) (models.CandidateService, error) {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if _, err := s.candidateTx(tx, campaignID, id); err != nil {
			return err
		}
		if err := tx.Model(&serviceRow{}).Where("id = ?", id).Updates(map[string]any{"estimated_cost_cents": cost, "cost_note": note,
			"updated_at": s.now()}).Error; err != nil {
			return err
		}
		return s.serviceAudit(tx, id, actor, models.AuditServiceCost, fmt.Sprintf("estimated at %s: %s", models.FormatEuros(cost), note))
	})
	if err != nil {
		return models.CandidateService{}, err
	}
	return s.Service(ctx, id)
}

// Service returns one candidate service with its proposals.
func (s *Store) Service(ctx context.Context, id string) (models.CandidateService, error) {
	var row serviceRow
	if err := s.db.WithContext(ctx).Take(&row, "id = ?", id).Error; err != nil {
		return models.CandidateService{}, notFound(err, "no candidate service %s", id)
	}
	var ids []string
	if err := s.db.WithContext(ctx).Model(&serviceProposalRow{}).Where("service_id = ?", id).Order("dossier_id").Pluck("dossier_id", &ids).Error; err != nil {
		return models.CandidateService{}, err
	}
	return row.model(ids), nil
}

// Services lists a campaign's candidate services (merged ones too), oldest first, with their proposals.
func (s *Store) Services(ctx context.Context, campaignID string) ([]models.CandidateService, error) {
	var rows []serviceRow
	if err := s.db.WithContext(ctx).Where("campaign_id = ?", campaignID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	var links []serviceProposalRow
	if err := s.db.WithContext(ctx).Joins("JOIN candidate_services cs ON cs.id = service_proposals.service_id").
		Where("cs.campaign_id = ?", campaignID).Order("dossier_id").Find(&links).Error; err != nil {
		return nil, err
	}
	byService := map[string][]string{}
	for _, l := range links {
		byService[l.ServiceID] = append(byService[l.ServiceID], l.DossierID)
	}
	out := make([]models.CandidateService, len(rows))
	for i, r := range rows {
		out[i] = r.model(byService[r.ID])
	}
	return out, nil
}

type ballotRow struct {
	CampaignID   string `gorm:"primaryKey"`
	Siren        string `gorm:"primaryKey"`
	CastBy       string
	CastAt       time.Time
	Replacements int
}

func (ballotRow) TableName() string { return "ballots" }

type ballotChoiceRow struct {
	CampaignID string `gorm:"primaryKey"`
	Siren      string `gorm:"primaryKey"`
	ServiceID  string `gorm:"primaryKey"`
	Position   int
}

func (ballotChoiceRow) TableName() string { return "ballot_choices" }

// CastBallot records a collectivité's ballot, replacing the one it cast before in the same
// campaign: one ballot per SIREN, whoever casts it, its choices kept in the order given.
// replaced says whether one was; the ballot counts how many it replaced.
func (s *Store) CastBallot(ctx context.Context, b models.Ballot) (replaced bool, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&ballotRow{}).Where("campaign_id = ? AND siren = ?", b.CampaignID, b.Siren).Count(&n).Error; err != nil {
			return err
		}
		replaced = n > 0
		// The ballot's row first: it locks the SIREN's ballot, so two ballots cast at once
		// replace each other whole instead of mixing their choices.
		row := ballotRow{CampaignID: b.CampaignID, Siren: b.Siren, CastBy: b.CastBy, CastAt: s.now()}
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "campaign_id"}, {Name: "siren"}},
			DoUpdates: clause.Assignments(map[string]any{"cast_by": row.CastBy, "cast_at": row.CastAt,
				"replacements": gorm.Expr("ballots.replacements + 1")})}).Create(&row).Error; err != nil {
			return err
		}
		if err := tx.Where("campaign_id = ? AND siren = ?", b.CampaignID, b.Siren).Delete(&ballotChoiceRow{}).Error; err != nil {
			return err
		}
		choices := make([]ballotChoiceRow, len(b.ServiceIDs))
		for i, id := range b.ServiceIDs {
			choices[i] = ballotChoiceRow{CampaignID: b.CampaignID, Siren: b.Siren, ServiceID: id, Position: i}
		}
		if len(choices) == 0 {
			return nil
		}
		return tx.Create(&choices).Error
	})
	return replaced, err
}

// Ballot returns a collectivité's ballot in a campaign.
func (s *Store) Ballot(ctx context.Context, campaignID, siren string) (models.Ballot, error) {
	var row ballotRow
	if err := s.db.WithContext(ctx).Take(&row, "campaign_id = ? AND siren = ?", campaignID, siren).Error; err != nil {
		return models.Ballot{}, notFound(err, "SIREN %s has cast no ballot in campaign %s", siren, campaignID)
	}
	b := models.Ballot{CampaignID: row.CampaignID, Siren: row.Siren, CastBy: row.CastBy, CastAt: row.CastAt, ServiceIDs: []string{}}
	chosen, err := s.ballotChoices(ctx, campaignID, []string{siren})
	for _, c := range chosen[siren] {
		b.ServiceIDs = append(b.ServiceIDs, c.ID)
	}
	return b, err
}

// ballotChoices reads the choices of the ballots of sirens in a campaign, by SIREN, each
// ballot's in the order it listed them (ballots cast before that order was kept: in the
// order the campaign's services were created, as the ballot form lists them).
func (s *Store) ballotChoices(ctx context.Context, campaignID string, sirens []string) (map[string][]models.ChosenService, error) {
	var rows []struct{ Siren, ID, Title string }
	if err := s.db.WithContext(ctx).Table("ballot_choices bc").Select("bc.siren, cs.id, cs.title").
		Joins("JOIN candidate_services cs ON cs.id = bc.service_id").
		Where("bc.campaign_id = ? AND bc.siren IN ?", campaignID, sirens).
		Order("bc.siren, bc.position, cs.created_at, cs.id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string][]models.ChosenService{}
	for _, r := range rows {
		out[r.Siren] = append(out[r.Siren], models.ChosenService{ID: r.ID, Title: r.Title})
	}
	return out, nil
}

// Ballots lists up to limit of a campaign's ballots, by SIREN, after the SIREN after ("":
// from the first): the keyset of a stable order, so that a list read page by page while
// ballots are cast shows each collectivité once. Each ballot comes with its collectivité
// as the registry names it, its choices in order, and the priority policies it belongs to.
func (s *Store) Ballots(ctx context.Context, campaignID, after string, limit int) ([]models.BallotEntry, error) {
	db := s.db.WithContext(ctx)
	var rows []struct {
		Siren, CastBy, Name, Type, Departement string
		CastAt                                 time.Time
		Replacements                           int
	}
	q := db.Table("ballots b").
		Select("b.siren, b.cast_by, b.cast_at, b.replacements, COALESCE(c.name, '') AS name, COALESCE(c.type, '') AS type, COALESCE(c.departement, '') AS departement").
		Joins("LEFT JOIN collectivites c ON c.siren = b.siren").Where("b.campaign_id = ?", campaignID)
	if after != "" {
		q = q.Where("b.siren > ?", after)
	}
	if err := q.Order("b.siren").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.BallotEntry, len(rows))
	sirens := make([]string, len(rows))
	for i, r := range rows {
		sirens[i] = r.Siren
		out[i] = models.BallotEntry{Siren: r.Siren, Name: r.Name, Type: models.CollectiviteType(r.Type), Departement: r.Departement,
			CastBy: r.CastBy, CastAt: r.CastAt, Replacements: r.Replacements, Services: []models.ChosenService{},
			PriorityPolicies: []models.PriorityPolicy{}}
	}
	if len(rows) == 0 {
		return out, nil
	}
	chosen, err := s.ballotChoices(ctx, campaignID, sirens)
	if err != nil {
		return nil, err
	}
	var memberships []struct{ Siren, Policy string }
	if err := db.Table("priority_memberships").Select("siren, policy").Where("siren IN ?", sirens).
		Order("siren, policy").Scan(&memberships).Error; err != nil {
		return nil, err
	}
	policies := map[string][]models.PriorityPolicy{}
	for _, m := range memberships {
		policies[m.Siren] = append(policies[m.Siren], models.PriorityPolicy(m.Policy))
	}
	for i := range out {
		out[i].Services = append(out[i].Services, chosen[out[i].Siren]...)
		out[i].PriorityPolicies = append(out[i].PriorityPolicies, policies[out[i].Siren]...)
	}
	return out, nil
}

// Results counts a campaign's ballots for each of its candidate services (the merged
// ones left out): ballots, the population the voters represent (each inhabitant once: an
// EPCI and its member communes voting alike count the EPCI's), and how many voters belong
// to a priority policy; most ballots first.
func (s *Store) Results(ctx context.Context, campaignID string) ([]models.ServiceResult, error) {
	db := s.db.WithContext(ctx)
	var rows []models.ServiceResult
	err := db.Raw(`
SELECT cs.id AS service_id, cs.title AS title,
       COUNT(bc.siren) AS ballots,
       COUNT(DISTINCT pm.siren) AS priority_voters
FROM candidate_services cs
LEFT JOIN ballot_choices bc ON bc.service_id = cs.id AND bc.campaign_id = cs.campaign_id
LEFT JOIN (SELECT DISTINCT siren FROM priority_memberships) pm ON pm.siren = bc.siren
WHERE cs.campaign_id = ? AND cs.status <> ?
GROUP BY cs.id, cs.title`, campaignID, string(models.ServiceMerged)).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	var choices []ballotChoiceRow
	if err := db.Where("campaign_id = ?", campaignID).Find(&choices).Error; err != nil {
		return nil, err
	}
	sirens := make([]string, len(choices))
	for i, ch := range choices {
		sirens[i] = ch.Siren
	}
	found, err := findIn(db, sirens, func(q *gorm.DB, batch []string) *gorm.DB { return q.Where("siren IN ?", batch) })
	if err != nil {
		return nil, err
	}
	bySiren := make(map[string]models.Collectivite, len(found))
	for _, r := range found {
		bySiren[*r.Siren] = r.model()
	}
	voters := map[string][]models.Collectivite{}
	for _, ch := range choices {
		if c, ok := bySiren[ch.Siren]; ok {
			voters[ch.ServiceID] = append(voters[ch.ServiceID], c)
		}
	}
	for i := range rows {
		rows[i].Population = models.RepresentedPopulation(voters[rows[i].ServiceID])
	}
	models.SortResults(rows)
	return rows, nil
}

// ReplacePriorityMemberships imports priority policies' memberships: each policy the
// import names has exactly the members it lists afterwards (a collectivité that left it
// is no longer counted). Each line must name a collectivité of the registry, a commune by
// its INSEE code or any by its SIREN; otherwise nothing is imported. It returns how many
// members each policy now has.
func (s *Store) ReplacePriorityMemberships(ctx context.Context, ms []models.PriorityMembership) (map[models.PriorityPolicy]int, error) {
	counts := map[models.PriorityPolicy]int{}
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		fields := map[string]string{}
		members := map[models.PriorityPolicy]map[string]bool{}
		for _, m := range ms {
			var sirens []string
			q := tx.Table("collectivites")
			if m.IsSiren() {
				q = q.Where("siren = ?", m.Code)
			} else {
				q = q.Where("type = ? AND code = ?", string(models.TypeCommune), m.Code)
			}
			if err := q.Pluck("siren", &sirens).Error; err != nil {
				return err
			}
			if len(sirens) == 0 || sirens[0] == "" {
				fields[fmt.Sprintf("line %d", m.Line)] = fmt.Sprintf("%s is no collectivité of the registry", m.Code)
				continue
			}
			if members[m.Policy] == nil {
				members[m.Policy] = map[string]bool{}
			}
			members[m.Policy][sirens[0]] = true
		}
		if len(fields) > 0 {
			return models.FieldErrors(fields)
		}
		for _, policy := range models.PriorityPolicies {
			sirens, named := members[policy]
			if !named {
				continue
			}
			if err := tx.Exec("DELETE FROM priority_memberships WHERE policy = ?", string(policy)).Error; err != nil {
				return err
			}
			rows := make([]map[string]any, 0, len(sirens))
			for siren := range sirens {
				rows = append(rows, map[string]any{"siren": siren, "policy": string(policy)})
			}
			if err := tx.Table("priority_memberships").CreateInBatches(rows, 500).Error; err != nil {
				return err
			}
			counts[policy] = len(rows)
		}
		return nil
	})
	return counts, err
}

// PriorityPoliciesOf lists the priority policies a collectivité belongs to.
func (s *Store) PriorityPoliciesOf(ctx context.Context, siren string) ([]models.PriorityPolicy, error) {
	var out []models.PriorityPolicy
	err := s.db.WithContext(ctx).Table("priority_memberships").Where("siren = ?", siren).Order("policy").Pluck("policy", &out).Error
	return out, err
}

// RecordDecision applies the committee's decision on a campaign's candidate services in one
// transaction: each selected service's budget is reserved on the campaign's envelope
// (under the service's ID in the ledger), and should the budgets together exceed what the
// envelope has left, nothing is reserved or decided. Each decision is audited.
func (s *Store) RecordDecision(ctx context.Context, c models.Campaign, d models.CommitteeDecision, actor string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		for _, sd := range d.Services {
			if _, err := s.candidateTx(tx, c.ID, sd.ServiceID); err != nil {
				return err
			}
			status, action, detail := models.ServiceNotSelected, models.AuditServiceNotSelected, sd.Reason
			if sd.Selected {
				status, action = models.ServiceSelected, models.AuditServiceSelected
				detail = fmt.Sprintf("selected with a budget of %s: %s", models.FormatEuros(sd.BudgetCents), sd.Reason)
				if err := s.reserveTx(tx, sd.ServiceID, c.EnvelopeCode, sd.BudgetCents); err != nil {
					if errors.Is(err, models.ErrEnvelopeExhausted) {
						return models.Errorf(models.EConflict, "the selected services' budgets exceed what envelope %s has left: nothing was reserved", c.EnvelopeCode)
					}
					return err
				}
			}
			if err := s.setServiceStatusTx(tx, sd.ServiceID, status, map[string]any{"budget_cents": sd.BudgetCents,
				"decision_reason": sd.Reason}); err != nil {
				return err
			}
			if err := s.serviceAudit(tx, sd.ServiceID, actor, action, detail); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeliveredServices lists the services of every campaign that are delivered: the Territoires Store.
func (s *Store) DeliveredServices(ctx context.Context) ([]models.CandidateService, error) {
	var ids []string
	if err := s.db.WithContext(ctx).Model(&serviceRow{}).Where("status = ?", string(models.ServiceDelivered)).
		Order("updated_at DESC, id").Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	out := make([]models.CandidateService, 0, len(ids))
	for _, id := range ids {
		svc, err := s.Service(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, svc)
	}
	return out, nil
}

type interestRow struct {
	ServiceID  string `gorm:"primaryKey"`
	Siren      string `gorm:"primaryKey"`
	Contact    string
	UseCase    string
	CastBy     string
	At         time.Time
	ReferentAt *time.Time
}

func (interestRow) TableName() string { return "service_interests" }

// ExpressInterest records a collectivité's interest in a selected service. Said again, its
// contact and use case are replaced, and it keeps its place on the list.
func (s *Store) ExpressInterest(ctx context.Context, campaignID string, in models.Interest) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var row serviceRow
		if err := tx.Take(&row, "id = ? AND campaign_id = ?", in.ServiceID, campaignID).Error; err != nil {
			return notFound(err, "no candidate service %s in campaign %s", in.ServiceID, campaignID)
		}
		if row.Status != string(models.ServiceSelected) {
			return models.Errorf(models.EConflict, "service %s is %s: interest is expressed in selected services", in.ServiceID, row.Status)
		}
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "service_id"}, {Name: "siren"}},
			DoUpdates: clause.AssignmentColumns([]string{"contact", "use_case", "cast_by"})}).
			Create(&interestRow{ServiceID: in.ServiceID, Siren: in.Siren, Contact: in.Contact, UseCase: in.UseCase, CastBy: in.CastBy, At: s.now()}).Error
	})
}

// ConfirmReferent makes a collectivité that expressed interest a territoire référent of
// the service, up to limit référents: the service's row is locked, so two confirmations at
// once never pass the limit together.
func (s *Store) ConfirmReferent(ctx context.Context, campaignID, serviceID, siren, actor string, limit int) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var row serviceRow
		if err := lockForUpdate(tx, s.sqlite).Take(&row, "id = ? AND campaign_id = ?", serviceID, campaignID).Error; err != nil {
			return notFound(err, "no candidate service %s in campaign %s", serviceID, campaignID)
		}
		var in interestRow
		if err := tx.Take(&in, "service_id = ? AND siren = ?", serviceID, siren).Error; err != nil {
			return notFound(err, "SIREN %s has expressed no interest in service %s", siren, serviceID)
		}
		if in.ReferentAt != nil {
			return nil
		}
		var n int64
		if err := tx.Model(&interestRow{}).Where("service_id = ? AND referent_at IS NOT NULL", serviceID).Count(&n).Error; err != nil {
			return err
		}
		if int(n) >= limit {
			return models.Errorf(models.EConflict, "service %s has its %d territoires référents already", serviceID, limit)
		}
		if err := tx.Model(&interestRow{}).Where("service_id = ? AND siren = ?", serviceID, siren).Update("referent_at", s.now()).Error; err != nil {
			return err
		}
		return s.serviceAudit(tx, serviceID, actor, models.AuditReferentConfirmed, "territoire référent: SIREN "+siren)
	})
}

// Interests lists a service's expressions of interest: the référents in the order ANCT
// confirmed them, then the others in the order they came, each with its registry name and
// priority policies.
func (s *Store) Interests(ctx context.Context, serviceID string) ([]models.Interest, error) {
	var rows []interestRow
	if err := s.db.WithContext(ctx).Where("service_id = ?", serviceID).
		Order("CASE WHEN referent_at IS NULL THEN 1 ELSE 0 END, referent_at, at, siren").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Interest, len(rows))
	for i, r := range rows {
		out[i] = models.Interest{ServiceID: r.ServiceID, Siren: r.Siren, Contact: r.Contact, UseCase: r.UseCase, CastBy: r.CastBy, At: r.At,
			Referent: r.ReferentAt != nil}
		if c, err := s.CollectiviteBySiren(ctx, r.Siren); err == nil {
			out[i].Name = c.Name
		}
		policies, err := s.PriorityPoliciesOf(ctx, r.Siren)
		if err != nil {
			return nil, err
		}
		out[i].Policies = append([]models.PriorityPolicy{}, policies...)
	}
	return out, nil
}

type opinionRow struct {
	CampaignID string `gorm:"primaryKey"`
	Member     string `gorm:"primaryKey"`
	ServiceID  string `gorm:"primaryKey"`
	Selected   bool
	Comment    string
	At         time.Time
}

func (opinionRow) TableName() string { return "committee_opinions" }

// RecordOpinions records a committee member's opinions, replacing those it gave before,
// while the campaign's services are still undecided.
func (s *Store) RecordOpinions(ctx context.Context, campaignID, member string, opinions []models.ServiceOpinion) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("campaign_id = ? AND member = ?", campaignID, member).Delete(&opinionRow{}).Error; err != nil {
			return err
		}
		rows := make([]opinionRow, len(opinions))
		for i, o := range opinions {
			if _, err := s.candidateTx(tx, campaignID, o.ServiceID); err != nil {
				return err
			}
			rows[i] = opinionRow{CampaignID: campaignID, Member: member, ServiceID: o.ServiceID, Selected: o.Select, Comment: o.Comment, At: s.now()}
		}
		if len(rows) == 0 {
			return nil
		}
		if err := tx.Create(&rows).Error; err != nil {
			return err
		}
		return s.auditTx(tx, fmt.Sprintf("%s/opinions/%s/%d", campaignID, member, s.now().UnixNano()), models.AuditEvent{DossierID: campaignID,
			Actor: member, Action: models.AuditCommitteeOpinion, Detail: fmt.Sprintf("opinions on %d service(s)", len(rows))})
	})
}

// Opinions lists a campaign's committee opinions, by member then service.
func (s *Store) Opinions(ctx context.Context, campaignID string) ([]models.MemberOpinion, error) {
	var rows []opinionRow
	if err := s.db.WithContext(ctx).Where("campaign_id = ?", campaignID).Order("member, service_id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.MemberOpinion, len(rows))
	for i, r := range rows {
		out[i] = models.MemberOpinion{ServiceOpinion: models.ServiceOpinion{ServiceID: r.ServiceID, Select: r.Selected, Comment: r.Comment},
			Member: r.Member, At: r.At}
	}
	return out, nil
}

// ProposalService returns the candidate service a proposal is grouped into, and false when it is in none.
func (s *Store) ProposalService(ctx context.Context, dossierID string) (models.CandidateService, bool, error) {
	var link serviceProposalRow
	if err := s.db.WithContext(ctx).Where("dossier_id = ?", dossierID).Limit(1).Find(&link).Error; err != nil {
		return models.CandidateService{}, false, err
	}
	if link.ServiceID == "" {
		return models.CandidateService{}, false, nil
	}
	svc, err := s.Service(ctx, link.ServiceID)
	return svc, err == nil, err
}
