"""A team's program in Python: its scrape targets and rules next to the shared Thanos stack.

It uses the thanos-stack component package through its Python SDK (generated from the TypeScript components'
schema): the components run in the package's own provider plugin, so the checks are the same as from TypeScript
(every PromQL expression parsed, the `thanos-stack.io/monitor` label set, rule scopes routed to the ruler or to
the shards). The team's objects go through an explicit Kubernetes provider, never the ambient one.

Configuration (all optional): `namespace` (default "payments"), `monitor` (the stack's monitor label, default
"default"), `createNamespace` (default false), and `stackExample` (default false: declares a whole ThanosStack
on the in-cluster S3 server, to show its arguments; the team program itself never needs one).
"""
import pulumi
import pulumi_kubernetes as kubernetes
import pulumi_thanos_stack as thanos

config = pulumi.Config()
namespace = config.get("namespace") or "payments"
monitor = config.get("monitor") or "default"

cluster = kubernetes.Provider("team-cluster", namespace=namespace)
created: list[pulumi.Resource] = []
if config.get_bool("createNamespace"):
    created.append(
        kubernetes.core.v1.Namespace(
            "team",
            metadata={"name": namespace, "labels": {"pod-security.kubernetes.io/enforce": "restricted"}},
            opts=pulumi.ResourceOptions(provider=cluster),
        )
    )
helpers = pulumi.ResourceOptions(providers={"kubernetes": cluster}, depends_on=created)

# Scrape the API's Service port `metrics` every 30s.
api = thanos.ServiceMonitor(
    "payments-api",
    namespace=namespace,
    monitor=monitor,
    selector=thanos.LabelSelectorArgs(match_labels={"app.kubernetes.io/name": "payments-api"}),
    endpoints=[thanos.ServiceMonitorEndpointArgs(port="metrics", interval="30s")],
    opts=helpers,
)

# A fleet-wide recording rule and an alert: `global` scope, evaluated by the Thanos ruler over every shard.
rules = thanos.PrometheusRule(
    "payments-rules",
    namespace=namespace,
    monitor=monitor,
    scope=thanos.RuleScope.GLOBAL_,
    groups=[
        thanos.RuleGroupArgs(
            name="payments-fleet",
            interval="30s",
            rules=[
                thanos.RuleArgs(record="payments:test_value:count", expr="count(e2e_test_value)"),
                thanos.RuleArgs(
                    alert="PaymentsTargetsMissing",
                    expr="absent(up{job=\"payments-api\"} == 1)",
                    for_="15m",
                    labels={"severity": "warning"},
                    annotations={"summary": "No payments-api target is up."},
                ),
            ],
        )
    ],
    opts=helpers,
)


def example_stack() -> thanos.ThanosStack:
    """The arguments of a whole stack, from Python: the `local` development setup (in-cluster S3 server)."""
    return thanos.ThanosStack(
        "thanos",
        cluster_name="dev",
        environment="dev",
        namespace="monitoring",
        object_storage=thanos.ObjectStorageSettingsArgs(provider=thanos.ObjectStorageProvider.VERSITYGW, bucket_name="thanos"),
        opts=pulumi.ResourceOptions(providers={"kubernetes": cluster}),
    )


if config.get_bool("stackExample"):
    example_stack()

pulumi.export("serviceMonitor", api.urn)
pulumi.export("rules", rules.urn)
