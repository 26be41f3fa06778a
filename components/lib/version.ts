/**
 * Release versions (`v3.13.2`, `v0.42.4`) and the rules that depend on them.
 */

/** `[major, minor, patch]` of a `vX.Y.Z` version (a pre-release suffix is ignored), or `undefined`. */
export function parseVersion(version: string): [number, number, number] | undefined {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$/.exec(version);
    return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** True when `version` is `minimum` or newer; false when either is not a version. */
export function versionAtLeast(version: string, minimum: string): boolean {
    const a = parseVersion(version);
    const b = parseVersion(minimum);
    if (a === undefined || b === undefined) return false;
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
    return true;
}
