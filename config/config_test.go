package config_test

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/relance/relance/config"
)

// envKeys are every variable Load reads.
var envKeys = []string{
	"RELANCE_DATA_DIR", "DATABASE_URL", "HTTP_ADDR", "METRICS_ADDR", "LOG_FORMAT", "LOG_LEVEL",
	"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY", "TEMPORAL_TLS_CA",
	"TEMPORAL_API_KEY", "TEMPORAL_CLI", "TEMPORAL_UI_PORT", "TEMPORAL_TIMEOUT", "GUICHET_AMEND_WINDOW",
	"JWT_SECRET", "JWT_ISSUER", "JWKS_URL", "JWT_AUDIENCE",
	"TASK_DUE_PRESELECTION", "TASK_DUE_INFO_ANSWER", "TASK_DUE_JURY_VOTE", "TASK_DUE_SIGNATURE", "TASK_DUE_DISBURSEMENT",
	"TASK_REMINDER_LEAD", "NOTIFY_SMTP_ADDR", "NOTIFY_FROM", "NOTIFY_ROLE_MAILBOXES",
	"GUICHET_CLOSES_AT", "RECONCILE_PERIOD", "RECONCILE_GRACE", "RECONCILE_BATCH",
	"TEMPORAL_UI_URL", "STUCK_GRACE", "WORKER_STICKY_CACHE_SIZE", "WORKER_WORKFLOW_POLLERS",
	"AXE3_ADVANCE_SHARE_PERCENT", "AXE3_COMPLETION", "AXE3_LAB_ONLY",
	"OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_REDIRECT_URL", "SESSION_SECRET",
}

// cleanEnv empties every variable Load reads for the duration of the test; Load treats
// an empty variable as unset.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, k := range envKeys {
		t.Setenv(k, "")
	}
}

func TestLoadDefaults(t *testing.T) {
	cleanEnv(t)
	c, err := config.Load()
	require.NoError(t, err)
	require.Equal(t, config.Config{
		DataDir:                 "./data",
		HTTPAddr:                ":8080",
		MetricsAddr:             ":9090",
		LogFormat:               "text",
		LogLevel:                "info",
		TemporalAddress:         "127.0.0.1:7233",
		TemporalNamespace:       "default",
		TemporalUIPort:          8233,
		TemporalUIURL:           "http://localhost:8233",
		StuckGrace:              time.Minute,
		WorkerStickyCacheSize:   2_000,
		JWTSecret:               config.DevJWTSecret,
		TemporalTimeout:         10 * time.Second,
		GuichetAmendWindow:      720 * time.Hour,
		DuePreselection:         30 * 24 * time.Hour,
		DueInfoAnswer:           30 * 24 * time.Hour,
		DueJuryVote:             15 * 24 * time.Hour,
		DueSignature:            60 * 24 * time.Hour,
		DueDisbursement:         30 * 24 * time.Hour,
		ReminderLead:            3 * 24 * time.Hour,
		ReconcilePeriod:         10 * time.Second,
		ReconcileGrace:          30 * time.Second,
		ReconcileBatch:          100,
		NotifyFrom:              "relance@localhost",
		Axe3AdvanceSharePercent: 30,
		Axe3Completion:          730 * 24 * time.Hour,
	}, c)
	require.True(t, c.GuichetClosesAt.IsZero(), "the guichet has no closing date by default")
	require.GreaterOrEqual(t, len(config.DevJWTSecret), 32)
	require.Equal(t, filepath.Join("./data", "relance.db"), c.Database())
}

func TestLoadSettings(t *testing.T) {
	cleanEnv(t)
	t.Setenv("RELANCE_DATA_DIR", "/var/lib/relance")
	t.Setenv("DATABASE_URL", "postgresql://relance@db:5432/relance")
	t.Setenv("HTTP_ADDR", "0.0.0.0:9000")
	t.Setenv("TEMPORAL_ADDRESS", "temporal:7233")
	t.Setenv("TEMPORAL_NAMESPACE", "relance")
	t.Setenv("TEMPORAL_TLS_CERT", "/etc/tls/cert.pem")
	t.Setenv("TEMPORAL_TLS_KEY", "/etc/tls/key.pem")
	t.Setenv("TEMPORAL_UI_PORT", "65535")
	t.Setenv("TEMPORAL_TIMEOUT", "1m30s")
	t.Setenv("GUICHET_AMEND_WINDOW", "48h")
	t.Setenv("JWT_SECRET", "short") // allowed: tokens are checked against the JWKS
	t.Setenv("JWT_ISSUER", "https://auth.example.gouv.fr")
	t.Setenv("JWKS_URL", "https://auth.example.gouv.fr/jwks")
	t.Setenv("JWT_AUDIENCE", "relance")
	t.Setenv("WORKER_STICKY_CACHE_SIZE", "2500")
	t.Setenv("WORKER_WORKFLOW_POLLERS", "8")

	c, err := config.Load()
	require.NoError(t, err)
	require.Equal(t, "/var/lib/relance", c.DataDir)
	require.Equal(t, "postgresql://relance@db:5432/relance", c.DatabaseURL)
	require.Equal(t, "0.0.0.0:9000", c.HTTPAddr)
	require.Equal(t, "temporal:7233", c.TemporalAddress)
	require.Equal(t, "relance", c.TemporalNamespace)
	require.Equal(t, "/etc/tls/cert.pem", c.TemporalTLSCert)
	require.Equal(t, "/etc/tls/key.pem", c.TemporalTLSKey)
	require.Equal(t, 65535, c.TemporalUIPort)
	require.Equal(t, 90*time.Second, c.TemporalTimeout)
	require.Equal(t, 48*time.Hour, c.GuichetAmendWindow)
	require.Equal(t, "short", c.JWTSecret)
	require.Equal(t, "https://auth.example.gouv.fr", c.JWTIssuer)
	require.Equal(t, "https://auth.example.gouv.fr/jwks", c.JWKSURL)
	require.Equal(t, "relance", c.JWTAudience)
	require.Equal(t, 2500, c.WorkerStickyCacheSize)
	require.Equal(t, 8, c.WorkerWorkflowPollers)
	require.Equal(t, "postgresql://relance@db:5432/relance", c.Database())
}

func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string // each must appear in the error
	}{
		{"port not a number", map[string]string{"TEMPORAL_UI_PORT": "http"}, []string{"TEMPORAL_UI_PORT"}},
		{"port zero", map[string]string{"TEMPORAL_UI_PORT": "0"}, []string{"TEMPORAL_UI_PORT"}},
		{"port negative", map[string]string{"TEMPORAL_UI_PORT": "-1"}, []string{"TEMPORAL_UI_PORT"}},
		{"port too big", map[string]string{"TEMPORAL_UI_PORT": "65536"}, []string{"TEMPORAL_UI_PORT"}},
		{"UI URL without scheme", map[string]string{"TEMPORAL_UI_URL": "temporal-ui:8080"}, []string{"TEMPORAL_UI_URL"}},
		{"stuck grace not a duration", map[string]string{"STUCK_GRACE": "soon"}, []string{"STUCK_GRACE"}},
		{"timeout without unit", map[string]string{"TEMPORAL_TIMEOUT": "10"}, []string{"TEMPORAL_TIMEOUT"}},
		{"timeout garbage", map[string]string{"TEMPORAL_TIMEOUT": "soon"}, []string{"TEMPORAL_TIMEOUT"}},
		{"timeout zero", map[string]string{"TEMPORAL_TIMEOUT": "0s"}, []string{"TEMPORAL_TIMEOUT"}},
		{"timeout negative", map[string]string{"TEMPORAL_TIMEOUT": "-5s"}, []string{"TEMPORAL_TIMEOUT"}},
		{"amend window in days", map[string]string{"GUICHET_AMEND_WINDOW": "30d"}, []string{"GUICHET_AMEND_WINDOW"}},
		{"amend window negative", map[string]string{"GUICHET_AMEND_WINDOW": "-1h"}, []string{"GUICHET_AMEND_WINDOW"}},
		{"mysql database", map[string]string{"DATABASE_URL": "mysql://u@h/db"}, []string{"DATABASE_URL"}},
		{"sqlite path database", map[string]string{"DATABASE_URL": "./data/relance.db"}, []string{"DATABASE_URL"}},
		{"unparsable database", map[string]string{"DATABASE_URL": "postgres://[::1"}, []string{"DATABASE_URL"}},
		{"tls cert without key", map[string]string{"TEMPORAL_TLS_CERT": "cert.pem"}, []string{"TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY"}},
		{"tls key without cert", map[string]string{"TEMPORAL_TLS_KEY": "key.pem"}, []string{"TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY"}},
		{"issuer without jwks", map[string]string{"JWT_ISSUER": "https://auth.example"}, []string{"JWT_ISSUER and JWKS_URL"}},
		{"short secret", map[string]string{"JWT_SECRET": strings.Repeat("s", 31)}, []string{"JWT_SECRET"}},
		// JWKS_URL alone lifts the secret requirement but still needs an issuer.
		{"jwks without issuer", map[string]string{"JWKS_URL": "https://auth.example/jwks", "JWT_SECRET": "x"}, []string{"JWT_ISSUER and JWKS_URL"}},
		{"oidc without session secret", map[string]string{"OIDC_ISSUER": "https://proconnect.example", "OIDC_CLIENT_ID": "relance",
			"OIDC_REDIRECT_URL": "https://relance.example/connexion/retour", "SESSION_SECRET": "short"}, []string{"SESSION_SECRET"}},
		{"oidc without client", map[string]string{"OIDC_ISSUER": "https://proconnect.example", "SESSION_SECRET": strings.Repeat("s", 32)}, []string{"OIDC_CLIENT_ID"}},
		{"closing date garbage", map[string]string{"GUICHET_CLOSES_AT": "next year"}, []string{"GUICHET_CLOSES_AT"}},
		{"closing date not a day", map[string]string{"GUICHET_CLOSES_AT": "2026-02-30"}, []string{"GUICHET_CLOSES_AT"}},
		{"reconcile grace zero", map[string]string{"RECONCILE_GRACE": "0s"}, []string{"RECONCILE_GRACE"}},
		{"reconcile period garbage", map[string]string{"RECONCILE_PERIOD": "often"}, []string{"RECONCILE_PERIOD"}},
		{"log format unknown", map[string]string{"LOG_FORMAT": "logfmt"}, []string{"LOG_FORMAT"}},
		{"log level unknown", map[string]string{"LOG_LEVEL": "verbose"}, []string{"LOG_LEVEL"}},
		{"sticky cache zero", map[string]string{"WORKER_STICKY_CACHE_SIZE": "0"}, []string{"WORKER_STICKY_CACHE_SIZE"}},
		{"sticky cache negative", map[string]string{"WORKER_STICKY_CACHE_SIZE": "-1"}, []string{"WORKER_STICKY_CACHE_SIZE"}},
		{"sticky cache with a unit", map[string]string{"WORKER_STICKY_CACHE_SIZE": "10k"}, []string{"WORKER_STICKY_CACHE_SIZE"}},
		{"one workflow poller", map[string]string{"WORKER_WORKFLOW_POLLERS": "1"}, []string{"WORKER_WORKFLOW_POLLERS"}},
		{"pollers neither auto nor a number", map[string]string{"WORKER_WORKFLOW_POLLERS": "many"}, []string{"WORKER_WORKFLOW_POLLERS"}},
		{"reconcile batch zero", map[string]string{"RECONCILE_BATCH": "0"}, []string{"RECONCILE_BATCH"}},
		{"advance share over 100", map[string]string{"AXE3_ADVANCE_SHARE_PERCENT": "101"}, []string{"AXE3_ADVANCE_SHARE_PERCENT"}},
		{"advance share a fraction", map[string]string{"AXE3_ADVANCE_SHARE_PERCENT": "0.3"}, []string{"AXE3_ADVANCE_SHARE_PERCENT"}},
		{"completion in months", map[string]string{"AXE3_COMPLETION": "24mo"}, []string{"AXE3_COMPLETION"}},
		{"lab only garbage", map[string]string{"AXE3_LAB_ONLY": "sometimes"}, []string{"AXE3_LAB_ONLY"}},
		{"several at once", map[string]string{"TEMPORAL_UI_PORT": "x", "TEMPORAL_TIMEOUT": "x", "DATABASE_URL": "sqlite://x", "JWT_SECRET": "x"},
			[]string{"TEMPORAL_UI_PORT", "TEMPORAL_TIMEOUT", "DATABASE_URL", "JWT_SECRET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := config.Load()
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), "configuration: "), err.Error())
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
			// Only the settings at fault are reported.
			require.Equal(t, len(tt.want), strings.Count(err.Error(), ";")+1, err.Error())
		})
	}
}

func TestLoadValidEdges(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"postgres scheme", map[string]string{"DATABASE_URL": "postgres://u:p@localhost/relance?sslmode=disable"}},
		{"port 1", map[string]string{"TEMPORAL_UI_PORT": "1"}},
		{"secret of 32", map[string]string{"JWT_SECRET": strings.Repeat("s", 32)}},
		{"tls pair", map[string]string{"TEMPORAL_TLS_CERT": "c.pem", "TEMPORAL_TLS_KEY": "k.pem"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := config.Load()
			require.NoError(t, err)
		})
	}
}

func TestGuichetClosingDate(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	for v, want := range map[string]time.Time{
		// A date is open all day long, Paris time.
		"2026-12-31":                time.Date(2027, 1, 1, 0, 0, 0, 0, paris),
		"2026-06-30":                time.Date(2026, 7, 1, 0, 0, 0, 0, paris),
		"2026-12-31T18:00:00+01:00": time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC),
	} {
		cleanEnv(t)
		t.Setenv("GUICHET_CLOSES_AT", v)
		c, err := config.Load()
		require.NoError(t, err, v)
		require.True(t, want.Equal(c.GuichetClosesAt), "%s: got %s, want %s", v, c.GuichetClosesAt, want)
	}
}

func TestDatabase(t *testing.T) {
	tests := []struct {
		name string
		c    config.Config
		want string
	}{
		{"url wins", config.Config{DataDir: "./data", DatabaseURL: "postgres://db/relance"}, "postgres://db/relance"},
		{"sqlite under data dir", config.Config{DataDir: "/srv/relance"}, filepath.Join("/srv/relance", "relance.db")},
		{"relative data dir", config.Config{DataDir: "./data"}, filepath.Join("data", "relance.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.c.Database())
		})
	}
}

// TestEnvKeysAreWhatLoadReads keeps envKeys honest: every quoted setting name in config.go
// is in it, and nothing else.
func TestEnvKeysAreWhatLoadReads(t *testing.T) {
	src, err := os.ReadFile("config.go")
	require.NoError(t, err)
	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"`).FindAllStringSubmatch(string(src), -1) {
		read[m[1]] = true
	}
	require.ElementsMatch(t, envKeys, slices.Collect(maps.Keys(read)))
}

// devOnlyKeys are the settings of `relance dev` alone (its embedded databases, its
// Temporal CLI and UI): the production shape has no use for them.
var devOnlyKeys = []string{"RELANCE_DATA_DIR", "TEMPORAL_CLI", "TEMPORAL_UI_PORT"}

// TestComposePassesEverySetting checks that docker-compose.yml gives every relance
// container every setting Load reads, so none is silently left at a development default.
func TestComposePassesEverySetting(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "docker-compose.yml"))
	require.NoError(t, err)
	var compose struct {
		RelanceEnv map[string]string `yaml:"x-relance-env"`
		Services   map[string]struct {
			Image       string         `yaml:"image"`
			Environment map[string]any `yaml:"environment"`
		} `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &compose))
	for _, k := range envKeys {
		if slices.Contains(devOnlyKeys, k) {
			require.NotContains(t, compose.RelanceEnv, k, "%s is for relance dev only", k)
			continue
		}
		require.Contains(t, compose.RelanceEnv, k, "docker-compose.yml's x-relance-env must pass %s", k)
	}
	relance := 0
	for name, svc := range compose.Services {
		if svc.Image != "relance:latest" {
			continue
		}
		relance++
		// The anchor merged in: every key of x-relance-env reaches the container.
		for k := range compose.RelanceEnv {
			require.Contains(t, svc.Environment, k, "service %s lacks %s", name, k)
		}
	}
	require.Equal(t, 4, relance, "migrate, temporal-setup, api, worker")
	require.NotContains(t, string(raw), "temporalio/auto-setup", "the deprecated image is gone")
	require.NotContains(t, string(raw), "search-attribute create", "temporal-setup registers the search attributes")
}
