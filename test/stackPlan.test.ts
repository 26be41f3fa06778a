/**
 * The stack is planned once (components/stack/stackPlan.ts): the plan's names and wiring must be what the created
 * children expose, or the querier's endpoints, the NetworkPolicies and the invariants would describe another stack.
 */
import { describe, expect, it } from "vitest";
import type { Deployment } from "kubernetes-types/apps/v1";
import { planStack } from "../components/stack/stackPlan";
import { ThanosStack, type ThanosStackArgs } from "../components/stack/thanosStack";
import { captureComponent, querierEndpointDocument } from "./support/harness";

const ARGS: ThanosStackArgs = {
    environment: "prod",
    clusterName: "c1",
    namespace: "metrics",
    objectStorage: { provider: "versitygw", bucketName: "thanos" },
    prometheus: { shards: 3, replicas: 2 },
    thanos: { storeGateway: { shards: 2 } },
};

describe("the stack's one plan", () => {
    it("is what the children expose: sidecar endpoints, replica label, Alertmanager, ServiceAccounts, objstore Secret", async () => {
        let stack: ThanosStack | undefined;
        const resources = await captureComponent((p) => {
            stack = new ThanosStack("t", ARGS, { providers: { kubernetes: p.kubernetes } });
        });
        const plan = planStack("t", ARGS);
        expect(stack!.sidecarEndpoints).toEqual(plan.prometheus.sidecarEndpoints);
        expect(stack!.prometheusReplicaLabel).toBe(plan.prometheus.replicaLabel);
        expect(stack!.alertmanagerUrl).toBe(plan.alertmanager.url);
        expect(stack!.alertmanagerAddresses).toEqual([plan.alertmanager.srvAddress]);
        expect(stack!.serviceAccountNames).toEqual(plan.serviceAccountNames);
        expect(stack!.objstoreSecret).toEqual(plan.objstoreSecret);
        expect(stack!.prometheus.externalLabels).toEqual(plan.thanos.context.prometheusExternalLabels);
        expect(stack!.pushgateway?.serviceName).toBe(plan.pushgateway?.name);
        expect(stack!.objectStore?.serviceName).toBe(plan.network.input.objectStorage.provider === "versitygw" ? plan.network.input.objectStorage.name : undefined);
        expect(stack!.prometheusOperator.grafanaDatasourceUrl).toBe(plan.network.input.operator?.grafanaDatasourceUrl);
        // The querier's endpoint file is the plan's endpoint list: 3 x 2 sidecars behind one SRV name, 2 store shards, the ruler.
        const query = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs as Deployment).metadata?.name === "t-query")!.inputs;
        const sd = querierEndpointDocument(resources.map((r) => r.inputs), query);
        expect(sd.endpoints.map((e) => e.address)).toEqual(plan.thanos.querier.endpoints.map((e) => e.address));
        expect(plan.thanos.querier.endpoints.map((e) => e.description)).toEqual([
            "prometheus sidecars (every shard and replica)",
            "store gateway shard 0",
            "store gateway shard 1",
            "thanos ruler",
        ]);
        // Every NetworkPolicy created is one the plan built.
        const created = resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => (r.inputs as { metadata: { name: string } }).metadata.name);
        expect(created.sort()).toEqual(plan.network.policies.map((n) => n.metadata!.name!).sort());
        expect(stack!.networkPolicyNames.sort()).toEqual(created.sort());
    });

    it("is made once per Args object: the program's check and the component share it", () => {
        const args = { ...ARGS };
        expect(planStack("t", args)).toBe(planStack("t", args));
        expect(planStack("t", args)).not.toBe(planStack("t", { ...ARGS }));
        expect(planStack("t", args)).not.toBe(planStack("u", args));
    });
});
