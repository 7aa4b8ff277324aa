package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/relance/relance/models"
)

// personRow is a row of people; the lists are JSON arrays.
type personRow struct {
	Subject      string `gorm:"primaryKey"`
	Name         string
	Roles        string
	Siren        string
	Departements string
	Regions      string
	Active       bool
	UpdatedBy    string
	UpdatedAt    time.Time
}

func (personRow) TableName() string { return "people" }

func (r personRow) model() models.Person {
	p := models.Person{Subject: r.Subject, Name: r.Name, Siren: r.Siren, Active: &r.Active}
	// The columns hold what SavePerson wrote: JSON arrays.
	_ = json.Unmarshal([]byte(r.Roles), &p.Roles)
	_ = json.Unmarshal([]byte(r.Departements), &p.Departements)
	_ = json.Unmarshal([]byte(r.Regions), &p.Regions)
	return p
}

func jsonList[T any](list []T) string {
	if list == nil {
		list = []T{}
	}
	b, _ := json.Marshal(list) // a list of strings always marshals
	return string(b)
}

// SavePerson adds or replaces the administrator's entry for p.Subject, recording who saved
// it, and writes the change, the entry before and after, to the entry's audit trail in the
// same transaction.
func (s *Store) SavePerson(ctx context.Context, p models.Person, by string) error {
	if err := p.Validate(); err != nil {
		return err
	}
	row := personRow{Subject: p.Subject, Name: p.Name, Roles: jsonList(p.Roles), Siren: p.Siren,
		Departements: jsonList(p.Departements), Regions: jsonList(p.Regions), Active: p.IsActive(),
		UpdatedBy: by, UpdatedAt: s.now().UTC()}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		before, found, err := s.personTx(tx, p.Subject)
		if err != nil {
			return err
		}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
			return err
		}
		action := models.AuditPersonAdded
		if found {
			action = models.AuditPersonChanged
		}
		return s.auditEntry(tx, models.PersonTrailID(p.Subject), by, action, changeOf(before, found, row.model()))
	})
}

// personTx reads subject's entry in tx, locked until tx ends.
func (s *Store) personTx(tx *gorm.DB, subject string) (models.Person, bool, error) {
	var row personRow
	err := lockForUpdate(tx, s.sqlite).Where("subject = ?", subject).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Person{}, false, nil
	}
	return row.model(), err == nil, err
}

// PersonTrail is the audit trail of subject's entry: every change, oldest first.
func (s *Store) PersonTrail(ctx context.Context, subject string) ([]models.AuditEvent, error) {
	return s.AuditTrail(ctx, models.PersonTrailID(subject))
}

// Person returns the administrator's entry for subject; found is false when there is none.
func (s *Store) Person(ctx context.Context, subject string) (p models.Person, found bool, err error) {
	var row personRow
	err = s.db.WithContext(ctx).Where("subject = ?", subject).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return p, false, nil
	}
	if err != nil {
		return p, false, err
	}
	return row.model(), true, nil
}

// Access is what the database says of a person signing in: the administrator's entry for
// them, if any (Found), and the calls whose jury they sit on (the calls, not the token, say
// who judges what).
type Access struct {
	Entry     models.Person
	Found     bool
	JuryCalls []string
}

// accessRow is a row of Access's one query: the entry (src "person") or a call whose jury
// may name the person (src "call").
type accessRow struct {
	Src, Subject, Name, Roles, Siren, Departements, Regions string
	Active                                                  bool
	Jury                                                    string
}

// Access reads what signing subject in needs in one query, which every authenticated
// request makes: nothing is cached, so an administrator's change (a withdrawal above all)
// counts from the next request, on every instance. The calls are found by their jury's
// JSON naming the subject (written by CreateCall with json.Marshal, so the subject's
// encoding is json.Marshal's), then checked member by member.
func (s *Store) Access(ctx context.Context, subject string) (Access, error) {
	encoded, err := json.Marshal(subject)
	if err != nil {
		return Access{}, err
	}
	var rows []accessRow
	// Find, not Scan: Scan's row callback records the driver's error without the
	// dialector's translation, so an outage would not be told from a bug (500, not 503).
	err = s.db.WithContext(ctx).Raw(`SELECT 'person' AS src, subject, name, roles, siren, departements, regions, active, '' AS jury
		FROM people WHERE subject = ?
		UNION ALL
		SELECT 'call', id, '', '', '', '', '', FALSE, jury FROM calls WHERE jury LIKE ? ESCAPE '\'`,
		subject, `%"subject":`+escapeLike(string(encoded))+`%`).Find(&rows).Error
	if err != nil {
		return Access{}, err
	}
	var a Access
	for _, r := range rows {
		if r.Src == "person" {
			a.Entry, a.Found = personRow{Subject: r.Subject, Name: r.Name, Roles: r.Roles, Siren: r.Siren,
				Departements: r.Departements, Regions: r.Regions, Active: r.Active}.model(), true
			continue
		}
		if (callRow{ID: r.Subject, Jury: r.Jury}).model().IsMember(subject) {
			a.JuryCalls = append(a.JuryCalls, r.Subject)
		}
	}
	slices.Sort(a.JuryCalls)
	return a, nil
}

// People returns up to limit entries in subject order, after the subject afterSubject.
func (s *Store) People(ctx context.Context, afterSubject string, limit int) ([]models.Person, error) {
	var rows []personRow
	if err := s.db.WithContext(ctx).Where("subject > ?", afterSubject).Order("subject").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Person, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// DeletePerson removes the entry for subject, by the administrator by: the person signs in
// with their claims again. The removal, with the entry removed, goes to the entry's audit
// trail in the same transaction.
func (s *Store) DeletePerson(ctx context.Context, subject, by string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		before, found, err := s.personTx(tx, subject)
		if err != nil {
			return err
		}
		if !found {
			return models.Errorf(models.ENotFound, "no entry for the person %q", subject)
		}
		if err := tx.Where("subject = ?", subject).Delete(&personRow{}).Error; err != nil {
			return err
		}
		return s.auditEntry(tx, models.PersonTrailID(subject), by, models.AuditPersonRemoved, entryChange[models.Person]{Before: &before})
	})
}
