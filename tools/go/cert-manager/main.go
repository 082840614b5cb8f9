// cert-manager-controller: cert-manager's controllers (github.com/cert-manager/cert-manager, the
// version pinned in tools/versions.env), run as the peer of bench/certificates.
//
// Why a main of our own rather than cert-manager's: cert-manager's controller binary lives in the
// nested module github.com/cert-manager/cert-manager/cmd/controller, which is not tagged and not
// served by the Go module proxy (404 for every version), so it cannot be built from modules. The
// root module holds everything else: every controller registers itself with pkg/controller from
// an init function, and pkg/controller.ContextFactory builds the shared clients and informers the
// way cert-manager's own binary does (same user agents, same API Priority and Fairness probe,
// same informer factories). This file only parses flags, imports the controllers, starts the
// informers and runs the controllers, optionally under a leader-election Lease.
//
// Left out: the Venafi issuer (pkg/issuer/venafi, certificaterequests-issuer-venafi), because its
// SDK github.com/Venafi/vcert/v5 is refused by the module proxy (403 for the version cert-manager
// requires). Everything else cert-manager enables by default is here. The flags are the subset of
// cert-manager's that certkeeper controller also accepts, with cert-manager's defaults.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/klog/v2"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager"
	controllerpkg "github.com/cert-manager/cert-manager/pkg/controller"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"

	// Controllers (each registers itself with controllerpkg in init).
	_ "github.com/cert-manager/cert-manager/pkg/controller/acmechallenges"
	_ "github.com/cert-manager/cert-manager/pkg/controller/acmeorders"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/gateways"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/ingresses"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/acme"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/vault"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/metrics"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	// Issuer types the issuers/clusterissuers controllers set up (each registers in init).
	_ "github.com/cert-manager/cert-manager/pkg/issuer/acme"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/vault"
)

// cert-manager's default controller set (its DefaultEnabledControllers) minus the Venafi one.
var defaultControllers = []string{
	"issuers", "clusterissuers", "certificates-metrics", "ingress-shim", "orders", "challenges",
	"certificaterequests-issuer-acme", "certificaterequests-approver",
	"certificaterequests-issuer-ca", "certificaterequests-issuer-selfsigned",
	"certificaterequests-issuer-vault",
	"certificates-trigger", "certificates-issuing", "certificates-key-manager",
	"certificates-request-manager", "certificates-readiness", "certificates-revision-manager",
}

// Cluster-scoped controllers: off when --namespace restricts the controller to one namespace.
var clusterScoped = []string{"clusterissuers"}

type flags struct {
	kubeconfig, master, namespace, clusterResourceNamespace string
	leaderElect                                             bool
	leNamespace, leID                                       string
	leLease, leRenew, leRetry                               time.Duration
	qps                                                     float32
	burst, workers, maxChallenges                           int
	controllers                                             []string
	metricsAddr, healthzAddr                                string
	minBackoff, maxBackoff, dns01Retry                      time.Duration
	version                                                 bool
}

func main() {
	logf.InitLogs()
	defer logf.FlushLogs()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "cert-manager-controller:", err)
		os.Exit(1)
	}
}

func run() error {
	var f flags
	fs := pflag.NewFlagSet("cert-manager-controller", pflag.ContinueOnError)
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "path to a kubeconfig; empty: in-cluster")
	fs.StringVar(&f.master, "master", "", "address of the Kubernetes API server (overrides kubeconfig)")
	fs.StringVar(&f.namespace, "namespace", "", "watch only this namespace (cluster-scoped controllers are off)")
	fs.StringVar(&f.clusterResourceNamespace, "cluster-resource-namespace", "kube-system", "namespace of ClusterIssuer Secrets")
	fs.BoolVar(&f.leaderElect, "leader-elect", true, "run controllers only while holding the leader-election Lease")
	fs.StringVar(&f.leNamespace, "leader-election-namespace", "kube-system", "namespace of the leader-election Lease")
	fs.StringVar(&f.leID, "leader-election-id", "cert-manager-controller", "name of the leader-election Lease")
	fs.DurationVar(&f.leLease, "leader-election-lease-duration", 60*time.Second, "lease duration")
	fs.DurationVar(&f.leRenew, "leader-election-renew-deadline", 40*time.Second, "renew deadline")
	fs.DurationVar(&f.leRetry, "leader-election-retry-period", 15*time.Second, "retry period")
	fs.Float32Var(&f.qps, "kube-api-qps", 20, "client-side QPS limit (unused when the server has API Priority and Fairness)")
	fs.IntVar(&f.burst, "kube-api-burst", 50, "client-side burst")
	fs.IntVar(&f.workers, "concurrent-workers", 5, "workers per controller")
	fs.IntVar(&f.maxChallenges, "max-concurrent-challenges", 60, "ACME challenges presented at once")
	fs.StringSliceVar(&f.controllers, "controllers", []string{"*"}, "'*' for the defaults, 'name' to add, '-name' to remove")
	fs.StringVar(&f.metricsAddr, "metrics-listen-address", "0.0.0.0:9402", "host:port for /metrics; empty: off")
	fs.StringVar(&f.healthzAddr, "internal-healthz-listen-address", "0.0.0.0:9403", "host:port for /livez; empty: off")
	fs.DurationVar(&f.minBackoff, "certificate-request-minimum-backoff-duration", time.Hour, "first back-off after a failed CertificateRequest")
	fs.DurationVar(&f.maxBackoff, "certificate-request-maximum-backoff-duration", 32*time.Hour, "longest back-off after failed CertificateRequests")
	fs.DurationVar(&f.dns01Retry, "dns01-check-retry-period", 10*time.Second, "time between DNS-01 propagation checks")
	fs.BoolVar(&f.version, "version", false, "print the cert-manager version and exit")
	logOpts := logsapi.NewLoggingConfiguration()
	logf.AddFlagsNonDeprecated(logOpts, fs)
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return err
	}
	if f.version {
		fmt.Println("cert-manager", util.AppVersion)
		return nil
	}
	if err := logf.ValidateAndApply(logOpts); err != nil {
		return err
	}
	enabled, err := selectControllers(f.controllers, f.namespace != "")
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := klog.Background().WithName("cert-manager-controller")
	ctx = logf.NewContext(ctx, log)

	opts := controllerpkg.ContextOptions{
		APIServerHost:      f.master,
		Kubeconfig:         f.kubeconfig,
		KubernetesAPIQPS:   f.qps,
		KubernetesAPIBurst: f.burst,
		Namespace:          f.namespace,
		IssuerOptions: controllerpkg.IssuerOptions{
			ClusterResourceNamespace:        f.clusterResourceNamespace,
			ClusterIssuerAmbientCredentials: true,
		},
		ACMEOptions: controllerpkg.ACMEOptions{
			HTTP01SolverImage:            "quay.io/jetstack/cert-manager-acmesolver:" + util.AppVersion,
			ACMEHTTP01SolverRunAsNonRoot: true,
			DNS01CheckRetryPeriod:        f.dns01Retry,
		},
		IngressShimOptions: controllerpkg.IngressShimOptions{
			DefaultIssuerKind:                 "Issuer",
			DefaultIssuerGroup:                cmapi.GroupName,
			DefaultAutoCertificateAnnotations: []string{"kubernetes.io/tls-acme"},
			GatewayAPIExtraProtocols:          sets.New[string](),
		},
		CertificateOptions: controllerpkg.CertificateOptions{
			CopiedAnnotationPrefixes:                 []string{"*", "-kubectl.kubernetes.io/", "-fluxcd.io/", "-argocd.argoproj.io/"},
			CertificateRequestMinimumBackoffDuration: f.minBackoff,
			CertificateRequestMaximumBackoffDuration: f.maxBackoff,
		},
		SchedulerOptions: controllerpkg.SchedulerOptions{MaxConcurrentChallenges: f.maxChallenges},
	}
	factory, err := controllerpkg.NewContextFactory(ctx, opts)
	if err != nil {
		return err
	}
	base, err := factory.Build()
	if err != nil {
		return err
	}
	if f.metricsAddr != "" {
		ln, err := net.Listen("tcp", f.metricsAddr)
		if err != nil {
			return fmt.Errorf("metrics listener: %w", err)
		}
		srv := base.Metrics.NewServer(ln)
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
	}
	if f.healthzAddr != "" {
		ln, err := net.Listen("tcp", f.healthzAddr)
		if err != nil {
			return fmt.Errorf("healthz listener: %w", err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/livez", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
	}

	runControllers := func(ctx context.Context) error {
		var ctrls []controllerpkg.Interface
		names := []string{}
		for _, name := range enabled {
			ctor, ok := controllerpkg.Known()[name]
			if !ok {
				return fmt.Errorf("controller %q is not built into this binary", name)
			}
			c, err := ctor(factory)
			if err != nil {
				return fmt.Errorf("controller %q: %w", name, err)
			}
			ctrls = append(ctrls, c)
			names = append(names, name)
		}
		// The constructors registered their informers with the shared factories; start them.
		base.KubeSharedInformerFactory.Start(ctx.Done())
		base.SharedInformerFactory.Start(ctx.Done())
		base.HTTP01ResourceMetadataInformersFactory.Start(ctx.Done())
		if base.GatewaySolverEnabled {
			base.GWShared.Start(ctx.Done())
		}
		log.Info("starting controllers", "controllers", strings.Join(names, ","))
		var wg sync.WaitGroup
		errs := make([]error, len(ctrls))
		for i, c := range ctrls {
			wg.Go(func() { errs[i] = c.Run(f.workers, ctx) })
		}
		wg.Wait()
		return errors.Join(errs...)
	}

	if !f.leaderElect {
		return runControllers(ctx)
	}
	kc, err := kubernetes.NewForConfig(util.RestConfigWithUserAgent(base.RESTConfig, "leader-election"))
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: f.leNamespace, Name: f.leID},
		Client:     kc.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: fmt.Sprintf("%s-%d", host, os.Getpid())},
	}
	var runErr error
	leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
		Lock: lock, LeaseDuration: f.leLease, RenewDeadline: f.leRenew, RetryPeriod: f.leRetry,
		ReleaseOnCancel: true,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(ctx context.Context) { runErr = runControllers(ctx); stop() },
			OnStoppedLeading: func() { log.Info("leader election lost or released") },
		},
	})
	return runErr
}

// selectControllers applies cert-manager's --controllers syntax to the default set.
func selectControllers(spec []string, namespaced bool) ([]string, error) {
	var out []string
	for _, s := range spec {
		switch {
		case s == "*":
			out = append(out, defaultControllers...)
		case strings.HasPrefix(s, "-"):
			out = slices.DeleteFunc(out, func(n string) bool { return n == s[1:] })
		case s != "":
			if _, ok := controllerpkg.Known()[s]; !ok {
				return nil, fmt.Errorf("unknown controller %q", s)
			}
			out = append(out, s)
		}
	}
	if namespaced {
		out = slices.DeleteFunc(out, func(n string) bool { return slices.Contains(clusterScoped, n) })
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
