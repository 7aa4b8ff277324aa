package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm/clause"

	"github.com/relance/relance/models"
)

type callRow struct {
	ID           string `gorm:"primaryKey"`
	Strand       string
	Round        int
	Title        string
	OpensAt      time.Time
	ClosesAt     time.Time
	EnvelopeCode string
	Jury         string
	Chair        string
	Quorum       int
	JuryOpenedAt *time.Time
	CreatedBy    string
	CreatedAt    time.Time
}

func (callRow) TableName() string { return "calls" }

func (r callRow) model() models.Call {
	c := models.Call{ID: r.ID, Strand: models.Strand(r.Strand), Round: r.Round, Title: r.Title, OpensAt: r.OpensAt,
		ClosesAt: r.ClosesAt, EnvelopeCode: r.EnvelopeCode, Chair: r.Chair, Quorum: r.Quorum, JuryOpenedAt: r.JuryOpenedAt,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	_ = json.Unmarshal([]byte(r.Jury), &c.Jury) // written by CreateCall from the same type
	return c
}

// CreateCall records a call. A strand has one call per round.
func (s *Store) CreateCall(ctx context.Context, c models.Call) (models.Call, error) {
	jury, err := json.Marshal(c.Jury)
	if err != nil {
		return c, err
	}
	row := callRow{ID: c.ID, Strand: string(c.Strand), Round: c.Round, Title: c.Title, OpensAt: c.OpensAt.UTC(),
		ClosesAt: c.ClosesAt.UTC(), EnvelopeCode: c.EnvelopeCode, Jury: string(jury), Chair: c.Chair, Quorum: c.Quorum,
		CreatedBy: c.CreatedBy, CreatedAt: s.now()}
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return c, res.Error
	}
	if res.RowsAffected == 0 {
		return c, models.Errorf(models.EConflict, "strand %s already has a call for round %d", c.Strand, c.Round)
	}
	return row.model(), nil
}

// Call returns one call.
func (s *Store) Call(ctx context.Context, id string) (models.Call, error) {
	var row callRow
	if err := s.db.WithContext(ctx).Take(&row, "id = ?", id).Error; err != nil {
		return models.Call{}, notFound(err, "no call %s", id)
	}
	return row.model(), nil
}

// Calls lists every call, the latest to open first.
func (s *Store) Calls(ctx context.Context) ([]models.Call, error) {
	var rows []callRow
	if err := s.db.WithContext(ctx).Order("opens_at DESC, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Call, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// JuryCalls lists the IDs of the calls whose jury subject sits on: the calls, not the
// token, say who judges what. There are a handful of calls, each read whole.
func (s *Store) JuryCalls(ctx context.Context, subject string) ([]string, error) {
	calls, err := s.Calls(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range calls {
		if c.IsMember(subject) {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// OpenJury opens a call's jury session, once.
func (s *Store) OpenJury(ctx context.Context, id string) (models.Call, error) {
	res := s.db.WithContext(ctx).Model(&callRow{}).Where("id = ? AND jury_opened_at IS NULL", id).Update("jury_opened_at", s.now())
	if res.Error != nil {
		return models.Call{}, res.Error
	}
	c, err := s.Call(ctx, id)
	if err == nil && res.RowsAffected == 0 {
		return c, models.Errorf(models.EConflict, "the jury session of call %s is already open (since %s)", id, c.JuryOpenedAt.Format(time.RFC3339))
	}
	return c, err
}

// CallDossiers lists a call's dossiers in the given statuses (all when none), oldest first.
func (s *Store) CallDossiers(ctx context.Context, callID string, statuses ...models.Status) ([]models.Dossier, error) {
	q := s.db.WithContext(ctx).Model(&dossierRow{}).Where("call_id = ?", callID)
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	var rows []dossierRow
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Dossier, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

type juryVoteRow struct {
	DossierID   string `gorm:"primaryKey"`
	Member      string `gorm:"primaryKey"`
	Vote        string
	AmountCents models.Cents
	Comment     string
	At          time.Time
}

func (juryVoteRow) TableName() string { return "jury_votes" }

// RecordVote writes a member's vote or recusal on a dossier; writing it again changes nothing.
func (s *Store) RecordVote(ctx context.Context, v models.Vote) error {
	row := juryVoteRow{DossierID: v.DossierID, Member: v.Member, Vote: string(v.Choice), AmountCents: v.AmountCents,
		Comment: v.Comment, At: s.now()}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
}

// Votes returns the votes recorded on the given dossiers, in the order they were cast.
func (s *Store) Votes(ctx context.Context, dossierIDs []string) ([]models.Vote, error) {
	var rows []juryVoteRow
	if err := s.db.WithContext(ctx).Where("dossier_id IN ?", dossierIDs).Order("at, member").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Vote, len(rows))
	for i, r := range rows {
		out[i] = models.Vote{DossierID: r.DossierID, Member: r.Member, Choice: models.VoteChoice(r.Vote),
			AmountCents: r.AmountCents, Comment: r.Comment, At: r.At}
	}
	return out, nil
}
