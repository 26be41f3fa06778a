/**
 * Prometheus/Thanos duration syntax (`30s`, `2h`, `1d12h`, `1y`): units in
 * descending order, each at most once, integers only; `0` alone is allowed.
 */

const UNIT_MS = {
    y: 365 * 24 * 3600_000,
    w: 7 * 24 * 3600_000,
    d: 24 * 3600_000,
    h: 3600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
} as const;

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNITS = ["y", "w", "d", "h", "m", "s", "ms"] as const;

/** Returns the duration in milliseconds, or `undefined` when `text` is not a valid duration. */
export function parseDuration(text: string): number | undefined {
    if (text === "0") return 0;
    if (text === "") return undefined;
    const m = DURATION_RE.exec(text);
    if (!m) return undefined;
    let total = 0;
    UNITS.forEach((unit, i) => {
        const part = m[i + 1];
        if (part !== undefined) total += Number(part) * UNIT_MS[unit];
    });
    return total;
}

/** True when `text` is a valid Prometheus duration. */
export function isDuration(text: string): boolean {
    return parseDuration(text) !== undefined;
}

/** Formats milliseconds in the largest exact units (`172800000` -> `2d`, `5400000` -> `1h30m`). */
export function formatDuration(ms: number): string {
    if (ms === 0) return "0s";
    let rest = ms;
    let out = "";
    for (const unit of UNITS) {
        if (unit === "w") continue; // days read better than weeks in flags
        const size = UNIT_MS[unit];
        const n = Math.floor(rest / size);
        if (n > 0) {
            out += `${n}${unit}`;
            rest -= n * size;
        }
    }
    return out;
}

/** Duration helpers for readable numbers in errors and docs. */
export const HOUR_MS = UNIT_MS.h;
export const DAY_MS = UNIT_MS.d;
