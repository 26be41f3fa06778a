// A team's program in Go: its scrape targets and rules next to the shared Thanos stack, through the thanos-stack
// component package's Go SDK (generated from the TypeScript components' schema; on the bench: npm run sdk).
//
// Configuration (all optional): namespace (default "payments"), monitor (the stack's monitor label, default
// "default"), stackExample (default false: declares a whole ThanosStack on the in-cluster S3 server, to show its
// arguments; a team program never needs one).
package main

import (
	"example.com/thanos-stack/sdk/go/thanosstack"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		namespace := cfg.Get("namespace")
		if namespace == "" {
			namespace = "payments"
		}
		monitor := cfg.Get("monitor")
		if monitor == "" {
			monitor = "default"
		}
		cluster, err := kubernetes.NewProvider(ctx, "team-cluster", &kubernetes.ProviderArgs{Namespace: pulumi.String(namespace)})
		if err != nil {
			return err
		}
		// The components take the Kubernetes provider explicitly, never the ambient one.
		helpers := pulumi.ProviderMap(map[string]pulumi.ProviderResource{"kubernetes": cluster})

		api, err := thanosstack.NewServiceMonitor(ctx, "payments-api", &thanosstack.ServiceMonitorArgs{
			Namespace: namespace,
			Monitor:   &monitor,
			Selector:  thanosstack.LabelSelectorArgs{MatchLabels: map[string]string{"app.kubernetes.io/name": "payments-api"}},
			Endpoints: []thanosstack.ServiceMonitorEndpointArgs{{Port: pulumi.StringRef("metrics"), Interval: pulumi.StringRef("30s")}},
		}, helpers)
		if err != nil {
			return err
		}

		global := thanosstack.RuleScope_GLOBAL_
		rules, err := thanosstack.NewPrometheusRule(ctx, "payments-rules", &thanosstack.PrometheusRuleArgs{
			Namespace: namespace,
			Monitor:   &monitor,
			Scope:     &global,
			Groups: []thanosstack.RuleGroupArgs{{
				Name:     "payments-fleet",
				Interval: pulumi.StringRef("30s"),
				Rules: []thanosstack.RuleArgs{
					{Record: pulumi.StringRef("payments:test_value:count"), Expr: "count(e2e_test_value)"},
					{
						Alert:       pulumi.StringRef("PaymentsTargetsMissing"),
						Expr:        `absent(up{job="payments-api"} == 1)`,
						For:         pulumi.StringRef("15m"),
						Labels:      map[string]string{"severity": "warning"},
						Annotations: map[string]string{"summary": "No payments-api target is up."},
					},
				},
			}},
		}, helpers)
		if err != nil {
			return err
		}

		if cfg.GetBool("stackExample") {
			// The arguments of a whole stack: the `local` development setup (in-cluster S3 server).
			if _, err := thanosstack.NewThanosStack(ctx, "thanos", &thanosstack.ThanosStackArgs{
				ClusterName:   "dev",
				Environment:   "dev",
				Namespace:     pulumi.StringRef("monitoring"),
				ObjectStorage: thanosstack.ObjectStorageSettingsArgs{Provider: thanosstack.ObjectStorageProviderVERSITYGW, BucketName: "thanos"},
			}, helpers); err != nil {
				return err
			}
		}

		ctx.Export("serviceMonitor", api.URN())
		ctx.Export("rules", rules.URN())
		return nil
	})
}
