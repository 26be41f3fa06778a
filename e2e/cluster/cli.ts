/**
 * `npm run e2e:cluster -- up|down|status`
 *
 * up      start the single-node bench cluster (tools must be built: npm run e2e:tools); idempotent
 * down    stop it and verify nothing is left (process, mount, network namespace, cgroup, firewall rule)
 * status  print what runs; exit 0 when the cluster is up
 */
import { down, status, up } from "./lifecycle";
import { progress } from "../lib/exec";

async function main(): Promise<number> {
    const command = process.argv[2];
    switch (command) {
        case "up":
            await up();
            return 0;
        case "down":
            await down();
            return 0;
        case "status":
            return status() ? 0 : 1;
        default:
            progress("usage: npm run e2e:cluster -- up|down|status");
            return 2;
    }
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        progress(`e2e:cluster: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    },
);
