/**
 * Builds the bench's images as docker-archive tarballs (layers + config + manifest, the layout
 * `ctr images import` takes) and imports them into the cluster's containerd. Archives are cached by the hash
 * of their spec and input files; an image is imported again only when its archive changed.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { imageSpecs, type ImageSpec } from "./specs";
import { imageDir } from "../lib/paths";
import { capture, run } from "../lib/exec";
import { CONTAINERD_NAMESPACE, CONTAINERD_SOCKET, STATE_DIR } from "../cluster/config";

const BUSYBOX = "/bin/busybox";
const IMPORTED = path.join(STATE_DIR, "images-imported.json");

function sha256(data: Buffer | string): string {
    return crypto.createHash("sha256").update(data).digest("hex");
}

function fileHash(file: string): string {
    const stat = fs.statSync(file);
    // Size, mode and mtime identify a built binary well enough, and avoid hashing hundreds of MB on every run.
    return sha256(`${file}\0${stat.size}\0${stat.mode}\0${stat.mtimeMs}`);
}

/** Deterministic tar of a directory tree: sorted, root-owned, epoch mtimes. */
async function tarDir(dir: string, out: string): Promise<string> {
    await run("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "--format=posix", "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime", "-C", dir, "-cf", out, "."]);
    return sha256(fs.readFileSync(out));
}

function busyboxRoot(root: string): void {
    fs.mkdirSync(path.join(root, "bin"), { recursive: true });
    fs.copyFileSync(BUSYBOX, path.join(root, "bin", "busybox"));
    fs.chmodSync(path.join(root, "bin", "busybox"), 0o755);
    for (const applet of capture(BUSYBOX, ["--list"]).split("\n").filter((a) => a && a !== "busybox")) {
        const link = path.join(root, "bin", applet);
        if (!fs.existsSync(link)) fs.symlinkSync("busybox", link);
    }
    fs.mkdirSync(path.join(root, "etc"), { recursive: true });
    fs.writeFileSync(path.join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nmemcache:x:11211:11211:memcache:/home:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
    fs.writeFileSync(path.join(root, "etc", "group"), "root:x:0:\nmemcache:x:11211:\nnogroup:x:65534:\n");
    fs.writeFileSync(path.join(root, "etc", "nsswitch.conf"), "hosts: files dns\n");
    for (const d of ["root", "home"]) fs.mkdirSync(path.join(root, d), { recursive: true });
    fs.mkdirSync(path.join(root, "tmp"), { recursive: true });
    fs.chmodSync(path.join(root, "tmp"), 0o1777);
}

function appRoot(root: string, spec: ImageSpec): void {
    for (const f of spec.files) {
        const dest = path.join(root, f.path);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.copyFileSync(f.from, dest);
        fs.chmodSync(dest, fs.statSync(f.from).mode & 0o777);
    }
    for (const d of spec.dirs ?? []) fs.mkdirSync(path.join(root, d), { recursive: true });
}

function specHash(spec: ImageSpec): string {
    return sha256(JSON.stringify({ spec, files: spec.files.map((f) => fileHash(f.from)), busybox: spec.busybox ? fileHash(BUSYBOX) : null, format: 2 }));
}

function archivePath(spec: ImageSpec, hash: string): string {
    return path.join(imageDir(), `${spec.ref.replace(/[^\w.-]+/g, "_")}-${hash.slice(0, 12)}.tar`);
}

/** Builds the docker-archive of one image (unless cached) and returns its path. */
async function buildArchive(spec: ImageSpec, hash: string): Promise<string> {
    const archive = archivePath(spec, hash);
    if (fs.existsSync(archive)) return archive;
    fs.mkdirSync(imageDir(), { recursive: true });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "thanos-stack-image-"));
    try {
        const layers: { dir: string; diffId: string }[] = [];
        const addLayer = async (fill: (root: string) => void): Promise<void> => {
            const root = path.join(work, `root${layers.length}`);
            fs.mkdirSync(root, { recursive: true });
            fill(root);
            const tmp = path.join(work, `layer${layers.length}.tar`);
            const diffId = await tarDir(root, tmp);
            fs.mkdirSync(path.join(work, "out", diffId), { recursive: true });
            fs.renameSync(tmp, path.join(work, "out", diffId, "layer.tar"));
            layers.push({ dir: diffId, diffId });
        };
        if (spec.busybox) await addLayer(busyboxRoot);
        await addLayer((root) => appRoot(root, spec));
        const config = {
            architecture: "amd64",
            os: "linux",
            created: "1970-01-01T00:00:00Z",
            config: {
                User: spec.user,
                Entrypoint: spec.entrypoint,
                ...(spec.cmd ? { Cmd: spec.cmd } : {}),
                Env: ["PATH=/usr/local/bin:/usr/bin:/bin", ...(spec.env ?? [])],
                WorkingDir: spec.workdir ?? "/",
                Labels: { "org.opencontainers.image.description": `built by the thanos-stack bench as ${spec.ref}` },
            },
            rootfs: { type: "layers", diff_ids: layers.map((l) => `sha256:${l.diffId}`) },
            history: layers.map((_, i) => ({ created: "1970-01-01T00:00:00Z", created_by: i === 0 && spec.busybox ? "thanos-stack bench: busybox base" : "thanos-stack bench: application" })),
        };
        const configJson = JSON.stringify(config);
        const configName = `${sha256(configJson)}.json`;
        fs.writeFileSync(path.join(work, "out", configName), configJson);
        fs.writeFileSync(path.join(work, "out", "manifest.json"), JSON.stringify([{ Config: configName, RepoTags: [spec.ref], Layers: layers.map((l) => `${l.dir}/layer.tar`) }]));
        const tmp = `${archive}.partial`;
        await run("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C", path.join(work, "out"), "-cf", tmp, "."]);
        fs.renameSync(tmp, archive);
        return archive;
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

function readImported(): Record<string, string> {
    try {
        return JSON.parse(fs.readFileSync(IMPORTED, "utf8")) as Record<string, string>;
    } catch {
        return {};
    }
}

export interface ImageResult {
    readonly ref: string;
    readonly built: boolean;
    readonly imported: boolean;
}

/** Builds every image (or those `only` selects) and imports those the cluster's containerd does not hold yet. */
export async function buildAndImportImages(onProgress: (line: string) => void, only: (spec: ImageSpec) => boolean = () => true): Promise<ImageResult[]> {
    const imported = readImported();
    const results: ImageResult[] = [];
    for (const spec of imageSpecs().filter(only)) {
        const hash = specHash(spec);
        const cached = fs.existsSync(archivePath(spec, hash));
        const archive = await buildArchive(spec, hash);
        let didImport = false;
        if (imported[spec.ref] !== hash) {
            await run("ctr", ["--address", CONTAINERD_SOCKET, "--namespace", CONTAINERD_NAMESPACE, "images", "import", archive]);
            imported[spec.ref] = hash;
            fs.writeFileSync(IMPORTED, `${JSON.stringify(imported, null, 2)}\n`);
            didImport = true;
        }
        onProgress(`    image ${spec.ref}: ${cached ? "cached" : "built"}${didImport ? ", imported" : ""}`);
        results.push({ ref: spec.ref, built: !cached, imported: didImport });
    }
    return results;
}
