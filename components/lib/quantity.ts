/**
 * Kubernetes resource quantities (`500m`, `2`, `512Mi`, `1.5Gi`, `1e3`).
 */

const QUANTITY_RE = /^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$/;

const SUFFIX: Record<string, number> = {
    "": 1,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    Pi: 1024 ** 5,
    Ei: 1024 ** 6,
};

/** Returns the quantity as a number in base units (cores or bytes), or `undefined` if invalid. */
export function parseQuantity(text: string): number | undefined {
    const m = QUANTITY_RE.exec(text);
    if (!m || m[1] === undefined) return undefined;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(m[1])) return undefined;
    const base = Number(m[1]);
    const suffix = m[2] ?? "";
    if (/^[eE]/.test(suffix)) return base * 10 ** Number(suffix.slice(1));
    const factor = SUFFIX[suffix];
    return factor === undefined ? undefined : base * factor;
}

/** True when `text` is a valid Kubernetes quantity. */
export function isQuantity(text: string): boolean {
    return parseQuantity(text) !== undefined;
}
