/**
 * `node scripts/run.js test/support/perturbedRender.ts <npm run render arguments>`: the render CLI in a
 * perturbed process, for test/golden.test.ts. Before the CLI loads:
 *
 * - the clock reads PERTURB_DATE (an ISO instant) and advances from there;
 * - `os.hostname()` answers PERTURB_HOSTNAME;
 * - every resource registration reaches the (capturing) mock monitor after a pseudo-random delay seeded by
 *   PERTURB_SEED, so resources register, and their outputs resolve, in another order.
 *
 * The time zone, locale and working directory come from the environment and cwd the test gives the process.
 * One line on stderr states what this process saw, so the test can check the perturbation happened.
 */
import * as path from "path";

/** The `os` module object itself (a namespace import would be a copy), so the render sees the patched hostname. */
const os = require("os") as { hostname: () => string };

const start = Date.parse(process.env["PERTURB_DATE"] ?? "2039-02-28T23:30:00Z");
const realNow = Date.now.bind(Date);
const offset = start - realNow();
const RealDate = Date;

class PerturbedDate extends RealDate {
    constructor(...args: unknown[]) {
        if (args.length === 0) super(realNow() + offset);
        else super(...(args as [string | number | Date]));
    }
    static override now(): number {
        return realNow() + offset;
    }
}
globalThis.Date = PerturbedDate as DateConstructor;

const hostname = process.env["PERTURB_HOSTNAME"] ?? "perturbed-host";
os.hostname = () => hostname;

// A small seeded generator (mulberry32): the same seed shuffles the same way.
let seed = Number(process.env["PERTURB_SEED"] ?? "1") >>> 0;
function random(): number {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

interface Monitor {
    registerResource(req: unknown, callback: (err: unknown, resp: unknown) => void): unknown;
}
const settings = require("@pulumi/pulumi/runtime/settings") as { setMockOptions: (monitor: Monitor, ...rest: unknown[]) => unknown };
const setMockOptions = settings.setMockOptions;
let delayed = 0;
settings.setMockOptions = (monitor: Monitor, ...rest: unknown[]) => {
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        delayed++;
        setTimeout(() => void register(req, callback), Math.floor(random() * 4));
        return undefined;
    };
    return setMockOptions(monitor, ...rest);
};
process.on("exit", () => {
    process.stderr.write(
        `perturbed: date=${new Date().toISOString()} tz=${Intl.DateTimeFormat().resolvedOptions().timeZone} locale=${Intl.DateTimeFormat().resolvedOptions().locale} host=${os.hostname()} cwd=${process.cwd()} delayed=${delayed}\n`,
    );
});

const render = path.resolve(__dirname, "..", "..", "scripts", "render.ts");
process.argv = [process.argv[0]!, render, ...process.argv.slice(2)];
require(render);
