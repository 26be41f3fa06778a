/**
 * Upgrades (docs/upgrades.md): every upstream version is defined once
 * (VERSIONS in components/constants.ts, from which IMAGES and CHARTS derive),
 * and bumping versions changes only images, the Operator CRs' version fields
 * and the chart version: nothing else in the rendered stack.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type * as Constants from "../components/constants";
import { diffRenders, FieldChange, RenderedResource } from "../scripts/lib/diff";
import type { RenderResult } from "../scripts/lib/render";
import { renderInProcess } from "./support/harness";

type ConstantsModule = typeof Constants;
type VersionKey = keyof ConstantsModule["VERSIONS"];

/** A synthetic bump: the last number of each version goes up by one (`v0.42.4` -> `v0.42.5`, `88.5.3` -> `88.5.4`). */
function bumpVersion(version: string): string {
    return version.replace(/(\d+)(?!.*\d)/, (n) => String(Number(n) + 1).padStart(n.length, "0"));
}

/**
 * The constants module as it would read after bumping every version: VERSIONS bumped, and every value derived
 * from a version (each image's tag, each chart's version) rebuilt from it. Fails when an image or chart does not
 * derive from exactly one VERSIONS entry, i.e. a version defined somewhere else.
 */
function bumpedConstants(orig: ConstantsModule): ConstantsModule {
    const keys = Object.keys(orig.VERSIONS) as VersionKey[];
    const VERSIONS = Object.fromEntries(keys.map((k) => [k, bumpVersion(orig.VERSIONS[k])])) as unknown as ConstantsModule["VERSIONS"];
    const IMAGES = Object.fromEntries(
        Object.entries(orig.IMAGES).map(([k, image]) => {
            // The version of the same name, or else the one VERSIONS entry whose value is the image's tag
            // (the Operator's config reloader shares the Operator's version).
            const tag = image.slice(image.lastIndexOf(":") + 1);
            const byValue = keys.filter((v) => orig.VERSIONS[v] === tag);
            const key = (k in orig.VERSIONS ? k : byValue.length === 1 ? byValue[0] : k) as VersionKey;
            const version = orig.VERSIONS[key] as string | undefined;
            if (version === undefined || !image.endsWith(`:${version}`)) throw new Error(`IMAGES.${k} (${image}) does not end with the tag of exactly one VERSIONS entry`);
            return [k, `${image.slice(0, -version.length)}${VERSIONS[key]}`];
        }),
    ) as unknown as ConstantsModule["IMAGES"];
    const CHARTS = Object.fromEntries(
        Object.entries(orig.CHARTS).map(([k, chart]) => {
            const key = keys.find((v) => orig.VERSIONS[v] === chart.version);
            if (!key) throw new Error(`CHARTS.${k}.version (${chart.version}) is not one of VERSIONS`);
            return [k, { ...chart, version: VERSIONS[key] }];
        }),
    ) as unknown as ConstantsModule["CHARTS"];
    return { ...orig, VERSIONS, IMAGES, CHARTS };
}

function resources(r: RenderResult): RenderedResource[] {
    return r.resources.map(({ type, name, parent, inputs, options }) => ({ type, name, parent, inputs, options: options as unknown as Record<string, unknown> }));
}

/** Fields a version bump may change: image references, the Operator CRs' `version`s, the Helm chart version. */
const VERSION_FIELDS: Array<{ what: string; re: RegExp }> = [
    { what: "an image", re: /(^|\.)image$/ },
    { what: "an Operator CR's version (Prometheus, Alertmanager, ThanosRuler, spec.thanos)", re: /^inputs\.spec(\.thanos)?\.version$/ },
    { what: "the Helm chart version", re: /^inputs\.version$/ },
    { what: "an image tag in chart values (the CRD upgrade Job's busybox and kubectl)", re: /^inputs\.values\.crds\.upgradeJob\.image\.[a-z]+\.tag$/ },
];

describe("version bumps", () => {
    let baseRender: RenderResult | undefined;
    /** The prod render with the real constants (rendered once for the file). */
    const base = async () => (baseRender ??= await renderInProcess("prod"));

    afterEach(() => {
        vi.doUnmock("../components/constants");
    });

    it("bumping every version changes only images, CR versions and the chart version (prod)", async () => {
        const before = await base();
        let orig: ConstantsModule | undefined;
        vi.doMock("../components/constants", async (importOriginal) => {
            orig = await importOriginal<ConstantsModule>();
            return bumpedConstants(orig);
        });
        const head = await renderInProcess("prod");
        expect(orig).toBeDefined();
        const versions = orig?.VERSIONS as ConstantsModule["VERSIONS"];

        const diff = diffRenders(resources(before), resources(head));
        expect(diff.added.map((r) => r.name)).toEqual([]);
        expect(diff.removed.map((r) => r.name)).toEqual([]);

        const changes: Array<FieldChange & { resource: string }> = diff.changed.flatMap(({ resource, changes }) => changes.map((c) => ({ ...c, resource: `${resource.type}::${resource.name}` })));
        const outside = changes.filter((c) => !VERSION_FIELDS.some((f) => f.re.test(c.path)));
        expect(outside, "a version bump changed something other than an image or version field").toEqual([]);

        // Each change is exactly one version replaced by its bump.
        for (const c of changes) {
            expect(typeof c.before, `${c.resource} ${c.path}`).toBe("string");
            const key = (Object.keys(versions) as VersionKey[]).find((k) => (c.before as string).includes(versions[k]));
            expect(key, `${c.resource} ${c.path}: ${String(c.before)} names no VERSIONS entry`).toBeDefined();
            if (key) expect(c.after).toBe((c.before as string).replace(versions[key], bumpVersion(versions[key])));
        }

        // Every deployed image and the chart moved: nothing pins an old version outside constants.ts.
        const paths = new Set(changes.map((c) => c.path.replace(/\[\d+\]/g, "[]")));
        expect([...paths].some((p) => p.endsWith(".image"))).toBe(true);
        expect(paths).toContain("inputs.spec.version");
        expect(paths).toContain("inputs.spec.thanos.version");
        expect(paths).toContain("inputs.version");
        const headJson = JSON.stringify(head.resources);
        for (const image of ["thanos", "prometheus", "alertmanager"] as const) {
            const old = `:${versions[image]}"`;
            expect(JSON.stringify(before.resources), `${image} is deployed`).toContain(old);
            expect(headJson, `an old ${image} tag survived the bump`).not.toContain(old);
        }
        expect(changes.length).toBeGreaterThan(10);
    });

    it("a change that is not a version shows up as outside the version fields (the check can fail)", async () => {
        const head = await renderInProcess("prod", ["prometheus.retention=72h"]);
        const diff = diffRenders(resources(await base()), resources(head));
        const paths = diff.changed.flatMap(({ changes }) => changes.map((c) => c.path));
        expect(paths.length).toBeGreaterThan(0);
        expect(paths.filter((p) => !VERSION_FIELDS.some((f) => f.re.test(p)))).toContain("inputs.spec.retention");
    });
});
