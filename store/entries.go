package store

import (
	"encoding/json"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

// entryChange is the detail of a change to an entry of the administrator's tables (people,
// labs, CRTE, structures): the entry before (none when added) and after (none when removed).
type entryChange[T any] struct {
	Before *T `json:"before"`
	After  *T `json:"after"`
}

// changeOf is the change to after from before, when there was one.
func changeOf[T any](before T, found bool, after T) entryChange[T] {
	c := entryChange[T]{After: &after}
	if found {
		c.Before = &before
	}
	return c
}

// auditEntry writes a change to an entry to its trail, in tx.
func (s *Store) auditEntry(tx *gorm.DB, trail, by, action string, change any) error {
	detail, err := json.Marshal(change)
	if err != nil {
		return err
	}
	return s.auditTx(tx, "entry/"+uuid.NewString(), models.AuditEvent{DossierID: trail, Actor: by, Action: action, Detail: string(detail)})
}
