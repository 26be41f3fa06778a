/**
 * The stack's bucket as an operator sees it: the AWS CLI (`aws s3api`, the commands docs/operations.md gives) run
 * against the in-cluster S3 server through a port-forward, with its root credentials. Blocks are `<ULID>/` prefixes
 * with a `meta.json` uploaded last.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "./exec";
import type { Kube, PortForward } from "./kube";
import { toolBinary } from "../tools/installed";
import { PORTS } from "../../components/constants";
import { VERSITYGW_CREDENTIAL_KEYS } from "../../components/storage/versitygw";

/** The fields of a block's meta.json the scenarios read. */
export interface BlockMeta {
    minTime: number;
    maxTime: number;
    compaction: { level: number; sources: string[] };
    thanos: { labels: Record<string, string>; downsample: { resolution: number } };
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export class BucketClient {
    private constructor(
        private readonly forward: PortForward,
        private readonly env: NodeJS.ProcessEnv,
        readonly bucket: string,
    ) {}

    /** Opens the stack's in-cluster bucket (`<stack>-versitygw` Service, credentials from its Secret). */
    static async open(kube: Kube, namespace: string, service: string, bucket: string): Promise<BucketClient> {
        const secret = kube.get("secret", namespace, `${service}-credentials`) as { data: Record<string, string> };
        const decode = (k: string): string => Buffer.from(secret.data[k] ?? "", "base64").toString("utf8");
        const forward = await kube.portForward(namespace, `svc/${service}`, PORTS.versitygwS3);
        const env = {
            ...process.env,
            AWS_ACCESS_KEY_ID: decode(VERSITYGW_CREDENTIAL_KEYS.accessKey),
            AWS_SECRET_ACCESS_KEY: decode(VERSITYGW_CREDENTIAL_KEYS.secretKey),
            AWS_DEFAULT_REGION: "us-east-1",
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_CONFIG_FILE: "/dev/null",
            AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        };
        return new BucketClient(forward, env, bucket);
    }

    get endpoint(): string {
        return this.forward.url;
    }

    /** `aws <args> --endpoint-url <the port-forward>`, parsed as JSON when it prints any. */
    async aws(args: readonly string[]): Promise<unknown> {
        const r = await run(toolBinary("aws"), [...args, "--endpoint-url", this.endpoint, "--output", "json"], { env: this.env, timeoutMs: 120_000 });
        return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
    }

    async keys(prefix = ""): Promise<string[]> {
        const out: string[] = [];
        let token: string | undefined;
        do {
            const page = (await this.aws(["s3api", "list-objects-v2", "--bucket", this.bucket, ...(prefix ? ["--prefix", prefix] : []), ...(token ? ["--continuation-token", token] : [])])) as
                | { Contents?: Array<{ Key: string }>; NextContinuationToken?: string }
                | undefined;
            out.push(...(page?.Contents ?? []).map((c) => c.Key));
            token = page?.NextContinuationToken;
        } while (token);
        return out.sort();
    }

    /** Blocks whose meta.json exists (what a store gateway would load), and prefixes without one (partial uploads). */
    async blocks(): Promise<{ complete: string[]; partial: string[] }> {
        const byBlock = new Map<string, string[]>();
        for (const key of await this.keys()) {
            const [id, ...rest] = key.split("/");
            if (id === undefined || !ULID.test(id) || rest.length === 0) continue;
            byBlock.set(id, [...(byBlock.get(id) ?? []), rest.join("/")]);
        }
        const complete = [...byBlock].filter(([, files]) => files.includes("meta.json")).map(([id]) => id);
        const partial = [...byBlock].filter(([, files]) => !files.includes("meta.json")).map(([id]) => id);
        return { complete: complete.sort(), partial: partial.sort() };
    }

    /**
     * Every complete block's meta.json in one `aws s3 cp --recursive` (one process, not one per block), by block ID.
     */
    async metas(): Promise<Map<string, BlockMeta>> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-metas-"));
        try {
            await run(toolBinary("aws"), ["s3", "cp", `s3://${this.bucket}/`, dir, "--recursive", "--exclude", "*", "--include", "*/meta.json", "--only-show-errors", "--endpoint-url", this.endpoint], { env: this.env, timeoutMs: 300_000 });
            const out = new Map<string, BlockMeta>();
            for (const id of fs.readdirSync(dir).filter((d) => ULID.test(d)).sort()) {
                const file = path.join(dir, id, "meta.json");
                if (fs.existsSync(file)) out.set(id, JSON.parse(fs.readFileSync(file, "utf8")) as BlockMeta);
            }
            return out;
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    /** `aws s3api delete-objects`, up to 1000 objects per call (the S3 limit); returns how many were deleted. */
    async deleteObjects(objects: ReadonlyArray<{ Key: string; VersionId?: string }>): Promise<number> {
        let deleted = 0;
        for (let i = 0; i < objects.length; i += 1000) {
            const batch = objects.slice(i, i + 1000);
            const r = (await this.aws(["s3api", "delete-objects", "--bucket", this.bucket, "--delete", JSON.stringify({ Objects: batch, Quiet: false })])) as { Deleted?: unknown[]; Errors?: Array<{ Key: string; Message: string }> } | undefined;
            if (r?.Errors?.length) throw new Error(`delete-objects refused ${r.Errors.length} object(s), first: ${r.Errors[0]!.Key}: ${r.Errors[0]!.Message}`);
            deleted += r?.Deleted?.length ?? 0;
        }
        return deleted;
    }

    close(): void {
        this.forward.close();
    }
}
