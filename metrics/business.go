package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/relance/relance/store"
)

// GaugeSource reads the business state (the store).
type GaugeSource interface {
	Gauges(ctx context.Context) (store.Gauges, error)
}

// Business is a collector of the business gauges: it reads the store when scraped, at
// most once per TTL, so that several scrapers (or a fast one) cost one set of queries.
type Business struct {
	src    GaugeSource
	ttl    time.Duration
	logger *slog.Logger

	mu      sync.Mutex
	at      time.Time
	last    store.Gauges
	lastErr error
}

// BusinessTTL is how long a reading of the store serves scrapes.
const BusinessTTL = 15 * time.Second

// businessTimeout bounds a reading, so a slow database never holds a scrape for long.
const businessTimeout = 5 * time.Second

var (
	descDossiers  = prometheus.NewDesc("relance_dossiers", "Dossiers by kind and status.", []string{"kind", "status"}, nil)
	descTasksOpen = prometheus.NewDesc("relance_tasks_open", "Open (or claimed) human tasks by type.", []string{"type"}, nil)
	descOverdue   = prometheus.NewDesc("relance_tasks_overdue", "Open human tasks past their due date, by type.", []string{"type"}, nil)
	descAvailable = prometheus.NewDesc("relance_envelope_available_cents",
		"Money of an envelope still available (allocated minus reserved, committed and paid), in euro cents.", []string{"envelope"}, nil)
	descBacklog = prometheus.NewDesc("relance_outbox_backlog", "Notifications waiting in the outbox for delivery (pending or being sent).", nil, nil)
	descFailed  = prometheus.NewDesc("relance_outbox_failed", "Notifications the outbox gave up delivering.", nil, nil)
	descUp      = prometheus.NewDesc("relance_business_metrics_up", "1 when the last reading of the business gauges succeeded, 0 when the database failed it.", nil, nil)
)

// NewBusiness returns the collector of the business gauges over src.
func NewBusiness(src GaugeSource, ttl time.Duration, logger *slog.Logger) *Business {
	return &Business{src: src, ttl: ttl, logger: logger}
}

// Describe sends the descriptions of every business gauge.
func (b *Business) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDossiers, descTasksOpen, descOverdue, descAvailable, descBacklog, descFailed, descUp} {
		ch <- d
	}
}

// Collect sends the gauges of the last reading, reading the store again when it is older than the TTL.
func (b *Business) Collect(ch chan<- prometheus.Metric) {
	g, err := b.read()
	if err != nil {
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 1)
	for _, d := range g.Dossiers {
		ch <- prometheus.MustNewConstMetric(descDossiers, prometheus.GaugeValue, float64(d.Count), string(d.Kind), string(d.Status))
	}
	for _, t := range g.Tasks {
		ch <- prometheus.MustNewConstMetric(descTasksOpen, prometheus.GaugeValue, float64(t.Open), string(t.Type))
		ch <- prometheus.MustNewConstMetric(descOverdue, prometheus.GaugeValue, float64(t.Overdue), string(t.Type))
	}
	for _, e := range g.Envelopes {
		available, err := e.AvailableCents()
		if err != nil {
			continue // figures that cannot add up are an alarm of their own, not a gauge
		}
		ch <- prometheus.MustNewConstMetric(descAvailable, prometheus.GaugeValue, float64(available), e.Code)
	}
	ch <- prometheus.MustNewConstMetric(descBacklog, prometheus.GaugeValue, float64(g.OutboxBacklog))
	ch <- prometheus.MustNewConstMetric(descFailed, prometheus.GaugeValue, float64(g.OutboxFailed))
}

// read returns the cached reading while it is fresh; a failure is cached too, so a down
// database is not queried by every scrape.
func (b *Business) read() (store.Gauges, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.at.IsZero() && time.Since(b.at) < b.ttl {
		return b.last, b.lastErr
	}
	ctx, cancel := context.WithTimeout(context.Background(), businessTimeout)
	defer cancel()
	b.last, b.lastErr = b.src.Gauges(ctx)
	b.at = time.Now()
	if b.lastErr != nil {
		b.logger.Warn("business metrics not read", "err", b.lastErr)
	}
	return b.last, b.lastErr
}
