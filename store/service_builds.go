package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

// The build and deploy of a selected service: its budget was reserved on the campaign's
// envelope at the decision (a ledger entry under the service's ID); each payment moves
// part of it to paid, once per payment (its part), never beyond the budget; delivery gives
// what is left back to the envelope.

// selectedTx loads a selected service, locked.
func (s *Store) selectedTx(tx *gorm.DB, id string) (serviceRow, error) {
	var row serviceRow
	if err := lockForUpdate(tx, s.sqlite).Take(&row, "id = ?", id).Error; err != nil {
		return row, notFound(err, "no candidate service %s", id)
	}
	if row.Status != string(models.ServiceSelected) {
		return row, models.Errorf(models.EConflict, "service %s is %s: only a selected service is built", id, row.Status)
	}
	return row, nil
}

// SetServiceRoute records the route ANCT chose for a selected service.
func (s *Store) SetServiceRoute(ctx context.Context, id string, route models.ServiceRoute, note, actor string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if _, err := s.selectedTx(tx, id); err != nil {
			return err
		}
		if err := tx.Model(&serviceRow{}).Where("id = ?", id).Updates(map[string]any{"route": string(route), "route_note": note,
			"updated_at": s.now()}).Error; err != nil {
			return err
		}
		return s.auditTx(tx, id+"/route", models.AuditEvent{DossierID: id, Actor: actor, Action: models.AuditServiceRouted,
			Detail: fmt.Sprintf("%s: %s", route, note)})
	})
}

// SetServiceVehicle records the legal vehicle that will carry a selected service and the
// funding its legal study set, which must fit in what the budget has left.
func (s *Store) SetServiceVehicle(ctx context.Context, id string, v models.LegalStudyData, actor string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		row, err := s.selectedTx(tx, id)
		if err != nil {
			return err
		}
		if row.Vehicle != "" {
			return nil // recorded already
		}
		if err := v.Check(models.Remaining(row.BudgetCents, row.PaidCents, 0)); err != nil {
			return err
		}
		if err := tx.Model(&serviceRow{}).Where("id = ?", id).Updates(map[string]any{"vehicle": string(v.Vehicle), "vehicle_name": v.Name,
			"vehicle_cents": v.FundingCents, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		return s.auditTx(tx, id+"/vehicle", models.AuditEvent{DossierID: id, Actor: actor, Action: models.AuditServiceVehicle,
			Detail: fmt.Sprintf("%s %s, funded with %s", v.Vehicle, v.Name, models.FormatEuros(v.FundingCents))})
	})
}

// PayService records a payment against a selected service's budget: from the money reserved
// on its campaign's envelope to paid, with a ledger entry under the service's ID and part
// (one per payment: paying the same part again returns the first entry). One conditional
// update on the service's row refuses any payment the budget cannot cover, whatever runs
// at the same time.
func (s *Store) PayService(ctx context.Context, id, part, reference string, amount models.Cents) (models.LedgerEntry, error) {
	var entry ledgerRow
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		err := tx.Where("dossier_id = ? AND kind = ? AND part = ?", id, models.LedgerPay, part).Take(&entry).Error
		if err == nil {
			return nil
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if err := checkGrant(amount); err != nil {
			return err
		}
		var reserve ledgerRow
		if err := tx.Where("dossier_id = ? AND kind = ?", id, models.LedgerReserve).Take(&reserve).Error; err != nil {
			return notFound(err, "service %s holds no budget", id)
		}
		res := tx.Model(&serviceRow{}).Where("id = ? AND status = ? AND paid_cents + ? <= budget_cents", id, string(models.ServiceSelected), amount).
			Updates(map[string]any{"paid_cents": gorm.Expr("paid_cents + ?", amount), "updated_at": s.now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var row serviceRow
			if err := tx.Take(&row, "id = ?", id).Error; err != nil {
				return err
			}
			if row.Status != string(models.ServiceSelected) {
				return models.Errorf(models.EConflict, "service %s is %s: only a selected service is paid", id, row.Status)
			}
			return models.Errorf(models.EConflict, "a payment of %s exceeds the %s service %s's budget has left", models.FormatEuros(amount),
				models.FormatEuros(models.Remaining(row.BudgetCents, row.PaidCents, 0)), id)
		}
		res = tx.Model(&envelopeRow{}).Where("code = ? AND reserved_cents >= ?", reserve.EnvelopeCode, amount).
			Updates(map[string]any{"reserved_cents": gorm.Expr("reserved_cents - ?", amount), "paid_cents": gorm.Expr("paid_cents + ?", amount),
				"updated_at": s.now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.EConflict, "envelope %s holds less reserved money than service %s's payment: the ledger and the envelope disagree",
				reserve.EnvelopeCode, id)
		}
		entry = ledgerRow{EnvelopeCode: reserve.EnvelopeCode, DossierID: id, Kind: models.LedgerPay, AmountCents: amount,
			Reference: reference, Part: part, At: s.now()}
		return tx.Create(&entry).Error
	})
	return entry.model(), err
}

// DeliverService records that a selected service is delivered, with how to join it: it
// enters the Territoires Store, and what its budget has left goes back to the campaign's
// envelope. Delivering it again changes nothing.
func (s *Store) DeliverService(ctx context.Context, id, actor string, d models.DeliveryData) (models.CandidateService, error) {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var row serviceRow
		if err := lockForUpdate(tx, s.sqlite).Take(&row, "id = ?", id).Error; err != nil {
			return notFound(err, "no candidate service %s", id)
		}
		switch row.Status {
		case string(models.ServiceDelivered):
			return nil
		case string(models.ServiceSelected):
		default:
			return models.Errorf(models.EConflict, "service %s is %s: only a selected service is delivered", id, row.Status)
		}
		left := models.Remaining(row.BudgetCents, row.PaidCents, 0)
		if left > 0 {
			var reserve ledgerRow
			if err := tx.Where("dossier_id = ? AND kind = ?", id, models.LedgerReserve).Take(&reserve).Error; err != nil {
				return notFound(err, "service %s holds no budget", id)
			}
			res := tx.Model(&envelopeRow{}).Where("code = ? AND reserved_cents >= ?", reserve.EnvelopeCode, left).
				Updates(map[string]any{"reserved_cents": gorm.Expr("reserved_cents - ?", left), "updated_at": s.now()})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return models.Errorf(models.EConflict, "envelope %s holds less reserved money than service %s's unspent budget: the ledger and the envelope disagree",
					reserve.EnvelopeCode, id)
			}
			if err := tx.Create(&ledgerRow{EnvelopeCode: reserve.EnvelopeCode, DossierID: id, Kind: models.LedgerRelease,
				AmountCents: left, Reference: "unspent at delivery", At: s.now()}).Error; err != nil {
				return err
			}
		}
		if err := s.setServiceStatusTx(tx, id, models.ServiceDelivered, map[string]any{"how_to_join": d.HowToJoin, "contact": d.Contact}); err != nil {
			return err
		}
		return s.auditTx(tx, id+"/delivered", models.AuditEvent{DossierID: id, Actor: actor, Action: models.AuditServiceDelivered,
			Detail: fmt.Sprintf("delivered: published in the Territoires Store; %s of its budget back to the envelope", models.FormatEuros(left))})
	})
	if err != nil {
		return models.CandidateService{}, err
	}
	return s.Service(ctx, id)
}

// ServiceBuild reads where a service's build and deploy stands: its route, its milestones
// (the latest task of each), its payments, what its budget has spent and has left, its
// legal vehicle, and the tasks it waits on.
func (s *Store) ServiceBuild(ctx context.Context, id string) (models.ServiceBuild, error) {
	svc, err := s.Service(ctx, id)
	if err != nil {
		return models.ServiceBuild{}, err
	}
	var row serviceRow
	if err := s.db.WithContext(ctx).Take(&row, "id = ?", id).Error; err != nil {
		return models.ServiceBuild{}, err
	}
	tasks, err := s.DossierTasks(ctx, id)
	if err != nil {
		return models.ServiceBuild{}, err
	}
	b := models.ServiceBuild{Service: svc, Route: models.ServiceRoute(row.Route), RouteNote: row.RouteNote, PaidCents: row.PaidCents,
		Vehicle: models.LegalVehicle(row.Vehicle), VehicleName: row.VehicleName, VehicleCents: row.VehicleCents, HowToJoin: row.HowToJoin,
		Contact: row.Contact, Milestones: []models.Task{}, Payments: []models.LedgerEntry{}, OpenTasks: []models.Task{}}
	if svc.Status == models.ServiceSelected {
		b.RemainingCents = models.Remaining(row.BudgetCents, row.PaidCents, 0)
	}
	for _, typ := range models.ServiceMilestones {
		for i := len(tasks) - 1; i >= 0; i-- {
			if tasks[i].Type == typ {
				b.Milestones = append(b.Milestones, tasks[i])
				break
			}
		}
	}
	for _, t := range tasks {
		if t.Status.Open() {
			b.OpenTasks = append(b.OpenTasks, t)
		}
	}
	var entries []ledgerRow
	if err := s.db.WithContext(ctx).Where("dossier_id = ? AND kind IN ?", id, []string{models.LedgerPay, models.LedgerRelease}).
		Order("id").Find(&entries).Error; err != nil {
		return models.ServiceBuild{}, err
	}
	for _, e := range entries {
		if e.Kind == models.LedgerRelease {
			b.ReleasedCents += e.AmountCents
			continue
		}
		b.Payments = append(b.Payments, e.model())
	}
	return b, nil
}
