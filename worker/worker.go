// Package worker connects to Temporal and registers relance's workflows and activities.
package worker

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/config"
	"github.com/relance/relance/workflows"
)

// New returns a worker for the dossier task queue with every workflow and activity
// registered. It keeps pollers open for workflow tasks, scaled with the load when pollers
// is 0 (see config.WorkerWorkflowPollers).
func New(c client.Client, acts *activities.Activities, pollers int) sdkworker.Worker {
	opts := sdkworker.Options{MaxConcurrentWorkflowTaskPollers: pollers}
	if pollers == 0 {
		opts.WorkflowTaskPollerBehavior = sdkworker.NewPollerBehaviorAutoscaling(sdkworker.PollerBehaviorAutoscalingOptions{})
	}
	w := sdkworker.New(c, workflows.TaskQueue, opts)
	Register(w, acts)
	return w
}

// Register adds relance's workflows and activities to any registry (a worker or a test environment).
func Register(r interface {
	RegisterWorkflowWithOptions(any, workflow.RegisterOptions)
	RegisterActivity(any)
}, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(workflows.GuichetWorkflow, workflow.RegisterOptions{Name: workflows.GuichetWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.AAPWorkflow, workflow.RegisterOptions{Name: workflows.AAPWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.PrefectoralWorkflow, workflow.RegisterOptions{Name: workflows.PrefectoralWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.CampaignWorkflow, workflow.RegisterOptions{Name: workflows.CampaignWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.ProposalWorkflow, workflow.RegisterOptions{Name: workflows.ProposalWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.CandidateServiceWorkflow, workflow.RegisterOptions{Name: workflows.ServiceWorkflowName})
	r.RegisterActivity(acts)
}

// Dial connects to the Temporal frontend named by the configuration, with TLS when set;
// the SDK reports its metrics to handler (nil: nowhere).
func Dial(cfg config.Config, logger *slog.Logger, handler client.MetricsHandler) (client.Client, error) {
	opts := client.Options{
		HostPort:       cfg.TemporalAddress,
		Namespace:      cfg.TemporalNamespace,
		Logger:         log.NewStructuredLogger(logger),
		MetricsHandler: handler,
	}
	if cfg.TemporalTLSCert != "" || cfg.TemporalTLSCA != "" || cfg.TemporalAPIKey != "" {
		tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.TemporalTLSCert != "" {
			cert, err := tls.LoadX509KeyPair(cfg.TemporalTLSCert, cfg.TemporalTLSKey)
			if err != nil {
				return nil, fmt.Errorf("temporal client certificate: %w", err)
			}
			tlsCfg.Certificates = []tls.Certificate{cert}
		}
		if cfg.TemporalTLSCA != "" {
			pem, err := os.ReadFile(cfg.TemporalTLSCA)
			if err != nil {
				return nil, fmt.Errorf("temporal CA: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("temporal CA %s holds no certificate", cfg.TemporalTLSCA)
			}
			tlsCfg.RootCAs = pool
		}
		opts.ConnectionOptions.TLS = tlsCfg
	}
	if cfg.TemporalAPIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(cfg.TemporalAPIKey)
	}
	return client.Dial(opts)
}
