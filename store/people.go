package store

import (
	"context"
	"encoding/json"
	"errors"
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

// SavePerson adds or replaces the administrator's entry for p.Subject, recording who saved it.
func (s *Store) SavePerson(ctx context.Context, p models.Person, by string) error {
	if err := p.Validate(); err != nil {
		return err
	}
	row := personRow{Subject: p.Subject, Name: p.Name, Roles: jsonList(p.Roles), Siren: p.Siren,
		Departements: jsonList(p.Departements), Regions: jsonList(p.Regions), Active: p.IsActive(),
		UpdatedBy: by, UpdatedAt: time.Now().UTC()}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
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

// DeletePerson removes the entry for subject: the person signs in with their claims again.
func (s *Store) DeletePerson(ctx context.Context, subject string) error {
	res := s.db.WithContext(ctx).Where("subject = ?", subject).Delete(&personRow{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return models.Errorf(models.ENotFound, "no entry for the person %q", subject)
	}
	return nil
}
