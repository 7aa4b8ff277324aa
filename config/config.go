// Package config reads relance's settings from the environment into one struct, validated
// at start. Every default makes `relance dev` work with no settings at all.
package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the closing date's time zone, wherever the program runs
)

// Config is every setting of the program.
type Config struct {
	// DataDir holds the embedded databases of `relance dev`.
	DataDir string
	// DatabaseURL is a postgres:// URL; empty means SQLite under DataDir.
	DatabaseURL string
	// HTTPAddr is where the API listens (its /metrics too).
	HTTPAddr string
	// MetricsAddr is where `relance worker` serves /metrics.
	MetricsAddr string
	// LogFormat is "text" or "json"; LogLevel "debug", "info", "warn" or "error".
	LogFormat, LogLevel string

	TemporalAddress   string
	TemporalNamespace string
	TemporalTLSCert   string // client certificate (mTLS), optional
	TemporalTLSKey    string
	TemporalTLSCA     string // server CA, optional
	TemporalAPIKey    string // Temporal Cloud API key, optional
	// TemporalUIPort is where `relance dev` serves the Temporal Web UI.
	TemporalUIPort int
	// TemporalUIURL is the Temporal UI's base URL, for links to workflows (default: the
	// dev server's UI on TemporalUIPort).
	TemporalUIURL string
	// StuckGrace is how long a dossier is left alone after a change before the list of
	// stuck dossiers compares it with its workflow (visibility lags behind).
	StuckGrace time.Duration
	// WorkerStickyCacheSize is how many workflows `relance worker` keeps in memory between
	// their tasks (the SDK's sticky cache, shared by the process); a workflow not in it
	// replays its history on its next task. Each cached dossier costs the worker about
	// 65 KB: with 10,000 open dossiers, the SDK's default of 10,000 took it to 724 MB, and
	// 2,000, the default here, to 206 MB (the api 55 MB) for 5 ms more at the median of a
	// task's completion (README: Figures at scale, make bench-memory).
	WorkerStickyCacheSize int
	// WorkerWorkflowPollers is how many requests for workflow tasks a worker keeps open on
	// the Temporal server: 0 (WORKER_WORKFLOW_POLLERS=auto, the default) lets the SDK scale
	// them with the load (1 to 100). With the SDK's fixed 2, a burst of filings outran the
	// pollers: its workflows' first tasks waited in the server's backlog, 2.2 s at worst
	// instead of 0.4 s, and the guichet ran at 33 dossiers/s instead of 52 (README:
	// Benchmarks).
	WorkerWorkflowPollers int
	// TemporalCLI is the temporal binary `relance dev` runs; found on PATH or in ./bin when empty.
	TemporalCLI string

	// JWTSecret signs and checks HS256 tokens (development and tests).
	JWTSecret string
	// JWTIssuer and JWKSURL configure a production OIDC provider (RS256/ES256 tokens).
	JWTIssuer string
	JWKSURL   string
	// JWTAudience, when set, must appear in the token's aud claim.
	JWTAudience string

	// OIDCIssuer, OIDCClientID, OIDCClientSecret and OIDCRedirectURL sign people into the
	// workspace through an OpenID Connect provider (ProConnect); SessionSecret signs its
	// session cookies. `relance api` serves the workspace when OIDCIssuer is set.
	OIDCIssuer, OIDCClientID, OIDCClientSecret, OIDCRedirectURL string
	SessionSecret                                               string

	// TemporalTimeout bounds every call the API makes into Temporal, and a whole filing
	// (insert, start and clean-up) as one deadline.
	TemporalTimeout time.Duration
	// GuichetAmendWindow is how long an incomplete guichet dossier waits for its applicant.
	GuichetAmendWindow time.Duration
	// GuichetClosesAt is when the guichet stops accepting applications; zero: it never closes.
	GuichetClosesAt time.Time
	// ReconcilePeriod is the time between the reconciler's passes; ReconcileGrace how long a
	// filing is left to the API before the reconciler starts its process; ReconcileBatch
	// the most dossiers a pass handles.
	ReconcilePeriod, ReconcileGrace time.Duration
	ReconcileBatch                  int
	// Task due dates, counted from when each task opens, and the reminder before each.
	DuePreselection, DueInfoAnswer, DueJuryVote, DueSignature, DueDisbursement, ReminderLead time.Duration
	// Axe 3: the most an advance may be, as a percentage of the grant; how long after the
	// agreement the final statement is due; whether a lab's project draws on the lab reserve
	// only, never on its territorial envelope.
	Axe3AdvanceSharePercent int
	Axe3Completion          time.Duration
	Axe3LabOnly             bool

	// NotifySMTPAddr, when set, sends reminders and escalations by e-mail through this relay;
	// otherwise they go to the log (and always to the outbox).
	NotifySMTPAddr string
	NotifyFrom     string
	// NotifyRoleMailboxes maps roles to addresses: "finance=finance@anct.gouv.fr,instructor=…".
	NotifyRoleMailboxes string
}

// DevJWTSecret is the development signing secret of `relance dev`; `relance api` refuses to run with it.
const DevJWTSecret = "relance-dev-secret-change-me-in-production"

// Load reads the environment.
func Load() (Config, error) {
	c := Config{
		DataDir:           env("RELANCE_DATA_DIR", "./data"),
		DatabaseURL:       os.Getenv("DATABASE_URL"),
		HTTPAddr:          env("HTTP_ADDR", ":8080"),
		MetricsAddr:       env("METRICS_ADDR", ":9090"),
		LogFormat:         env("LOG_FORMAT", "text"),
		LogLevel:          env("LOG_LEVEL", "info"),
		TemporalAddress:   env("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		TemporalNamespace: env("TEMPORAL_NAMESPACE", "default"),
		TemporalTLSCert:   os.Getenv("TEMPORAL_TLS_CERT"),
		TemporalTLSKey:    os.Getenv("TEMPORAL_TLS_KEY"),
		TemporalTLSCA:     os.Getenv("TEMPORAL_TLS_CA"),
		TemporalAPIKey:    os.Getenv("TEMPORAL_API_KEY"),
		TemporalCLI:       os.Getenv("TEMPORAL_CLI"),
		JWTSecret:         env("JWT_SECRET", DevJWTSecret),
		JWTIssuer:         os.Getenv("JWT_ISSUER"),
		JWKSURL:           os.Getenv("JWKS_URL"),
		JWTAudience:       os.Getenv("JWT_AUDIENCE"),
		OIDCIssuer:        os.Getenv("OIDC_ISSUER"),
		OIDCClientID:      os.Getenv("OIDC_CLIENT_ID"),
		OIDCClientSecret:  os.Getenv("OIDC_CLIENT_SECRET"),
		OIDCRedirectURL:   os.Getenv("OIDC_REDIRECT_URL"),
		SessionSecret:     os.Getenv("SESSION_SECRET"),
	}
	var errs []string
	var err error
	if c.TemporalUIPort, err = strconv.Atoi(env("TEMPORAL_UI_PORT", "8233")); err != nil || c.TemporalUIPort <= 0 || c.TemporalUIPort > 65535 {
		errs = append(errs, "TEMPORAL_UI_PORT must be a port number")
	}
	c.TemporalUIURL = fmt.Sprintf("http://localhost:%d", c.TemporalUIPort)
	if v := os.Getenv("TEMPORAL_UI_URL"); v != "" {
		c.TemporalUIURL = v
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, "TEMPORAL_UI_URL must be an http(s):// URL")
		}
	}
	if c.TemporalTimeout, err = time.ParseDuration(env("TEMPORAL_TIMEOUT", "10s")); err != nil || c.TemporalTimeout <= 0 {
		errs = append(errs, "TEMPORAL_TIMEOUT must be a positive duration such as 10s")
	}
	if c.GuichetAmendWindow, err = time.ParseDuration(env("GUICHET_AMEND_WINDOW", "720h")); err != nil || c.GuichetAmendWindow <= 0 {
		errs = append(errs, "GUICHET_AMEND_WINDOW must be a positive duration such as 720h")
	}
	if v := os.Getenv("GUICHET_CLOSES_AT"); v != "" {
		if c.GuichetClosesAt, err = parseClosingDate(v); err != nil {
			errs = append(errs, "GUICHET_CLOSES_AT must be a date (2026-12-31: applications close at the end of that day, Paris time) or an RFC 3339 time")
		}
	}
	if c.ReconcileBatch, err = strconv.Atoi(env("RECONCILE_BATCH", "100")); err != nil || c.ReconcileBatch <= 0 {
		errs = append(errs, "RECONCILE_BATCH must be a positive whole number")
	}
	if c.WorkerStickyCacheSize, err = strconv.Atoi(env("WORKER_STICKY_CACHE_SIZE", "2000")); err != nil || c.WorkerStickyCacheSize <= 0 {
		errs = append(errs, "WORKER_STICKY_CACHE_SIZE must be a positive whole number of workflows")
	}
	if v := env("WORKER_WORKFLOW_POLLERS", "auto"); v != "auto" {
		// The SDK refuses a single poller: they alternate between the sticky and the shared queues.
		if c.WorkerWorkflowPollers, err = strconv.Atoi(v); err != nil || c.WorkerWorkflowPollers < 2 {
			errs = append(errs, "WORKER_WORKFLOW_POLLERS must be auto or a whole number from 2")
		}
	}
	if c.Axe3AdvanceSharePercent, err = strconv.Atoi(env("AXE3_ADVANCE_SHARE_PERCENT", "30")); err != nil ||
		c.Axe3AdvanceSharePercent < 1 || c.Axe3AdvanceSharePercent > 100 {
		errs = append(errs, "AXE3_ADVANCE_SHARE_PERCENT must be a whole number from 1 to 100")
	}
	if c.Axe3LabOnly, err = strconv.ParseBool(env("AXE3_LAB_ONLY", "false")); err != nil {
		errs = append(errs, "AXE3_LAB_ONLY must be true or false")
	}
	for _, d := range []struct {
		key, def string
		dst      *time.Duration
	}{
		{"TASK_DUE_PRESELECTION", "720h", &c.DuePreselection}, {"TASK_DUE_INFO_ANSWER", "720h", &c.DueInfoAnswer},
		{"TASK_DUE_JURY_VOTE", "360h", &c.DueJuryVote}, {"TASK_DUE_SIGNATURE", "1440h", &c.DueSignature},
		{"TASK_DUE_DISBURSEMENT", "720h", &c.DueDisbursement}, {"TASK_REMINDER_LEAD", "72h", &c.ReminderLead},
		{"RECONCILE_PERIOD", "10s", &c.ReconcilePeriod}, {"RECONCILE_GRACE", "30s", &c.ReconcileGrace},
		{"STUCK_GRACE", "1m", &c.StuckGrace},
		{"AXE3_COMPLETION", "17520h", &c.Axe3Completion},
	} {
		if *d.dst, err = time.ParseDuration(env(d.key, d.def)); err != nil || *d.dst <= 0 {
			errs = append(errs, d.key+" must be a positive duration such as "+d.def)
		}
	}
	c.NotifySMTPAddr, c.NotifyFrom = os.Getenv("NOTIFY_SMTP_ADDR"), env("NOTIFY_FROM", "relance@localhost")
	c.NotifyRoleMailboxes = os.Getenv("NOTIFY_ROLE_MAILBOXES")
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, "LOG_FORMAT must be text or json")
	}
	if _, err := c.SlogLevel(); err != nil {
		errs = append(errs, "LOG_LEVEL must be debug, info, warn or error")
	}
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			errs = append(errs, "DATABASE_URL must be a postgres:// URL")
		}
	}
	if (c.TemporalTLSCert == "") != (c.TemporalTLSKey == "") {
		errs = append(errs, "TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together")
	}
	if (c.JWTIssuer == "") != (c.JWKSURL == "") {
		errs = append(errs, "JWT_ISSUER and JWKS_URL go together")
	}
	if len(c.JWTSecret) < 32 && c.JWKSURL == "" {
		errs = append(errs, "JWT_SECRET must be at least 32 characters")
	}
	if c.OIDCIssuer != "" && (c.OIDCClientID == "" || c.OIDCRedirectURL == "" || len(c.SessionSecret) < 32) {
		errs = append(errs, "OIDC_ISSUER needs OIDC_CLIENT_ID, OIDC_REDIRECT_URL and a SESSION_SECRET of at least 32 characters")
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// SlogLevel is LogLevel as a log/slog level.
func (c Config) SlogLevel() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(c.LogLevel))
	return l, err
}

// Database returns the database to open: DATABASE_URL, or the SQLite file under DataDir.
func (c Config) Database() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "relance.db")
}

// paris is the fund's time zone, in which a closing date ends.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err) // time/tzdata is embedded
	}
	return loc
}()

// parseClosingDate reads an RFC 3339 time, or a date whose whole day is still open: it
// closes at the next midnight in Paris.
func parseClosingDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	day, err := time.ParseInLocation(time.DateOnly, v, paris)
	if err != nil {
		return time.Time{}, err
	}
	return day.AddDate(0, 0, 1), nil
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}
