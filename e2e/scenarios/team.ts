/** A team's own Pulumi program next to the stack (e2e/team), deployed with the real engine like the stack. */
import * as path from "path";
import { expectThat, type Scenario } from "./types";
import { Engine } from "../lib/engine";
import { REPO_ROOT } from "../lib/paths";
import { E2E_TEAM } from "../team/team";

export const TEAM_STACK = "e2e-team";

export const teamProgram: Scenario = {
    name: "team-program-deploys",
    proves: "a team's own Pulumi program using the thanos-stack team helpers (ServiceMonitor, PodMonitor, PrometheusRule) deploys with the real engine next to the stack",
    async run(ctx) {
        const dir = path.join(REPO_ROOT, "e2e", "team");
        const engine = await Engine.create(
            { stack: TEAM_STACK, kubeconfig: ctx.engine.options.kubeconfig, logFile: ctx.engine.options.logFile, projectDir: dir, configSource: path.join(dir, `Pulumi.${TEAM_STACK}.yaml`) },
            ctx.engineDir(TEAM_STACK),
        );
        const started = Date.now();
        await engine.pulumi(["up", "--yes", "--skip-preview"]);
        const upSeconds = (Date.now() - started) / 1000;
        const monitors = ctx.kube.items("servicemonitors.monitoring.coreos.com", E2E_TEAM.namespace).length + ctx.kube.items("podmonitors.monitoring.coreos.com", E2E_TEAM.namespace).length;
        const rules = ctx.kube.items("prometheusrules.monitoring.coreos.com", E2E_TEAM.namespace).length;
        expectThat(monitors === 2 && rules === 2, `the team program created ${monitors} monitors and ${rules} rules, expected 2 and 2`);
        await ctx.kube.runAsync(["-n", E2E_TEAM.namespace, "wait", "--for=condition=Available", "deployment", "--all", "--timeout=180s"]);
        await ctx.kube.runAsync(["-n", E2E_TEAM.receiverNamespace, "wait", "--for=condition=Available", "deployment", "--all", "--timeout=180s"]);
        return { upSeconds, monitors, rules, targets: E2E_TEAM.serviceTargets.replicas + E2E_TEAM.podTargets.replicas };
    },
};
