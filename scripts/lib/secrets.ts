/**
 * How a render writes secret values: `[secret]`, or, with {@link SECRET_DIGEST_KEY_ENV} set (`npm run diff`
 * sets a random key for its two renders), `[secret <digest>]`: an HMAC of the value under that key, so two
 * renders tell whether a secret changed without showing it (the key is never written anywhere).
 */
import { createHmac } from "crypto";

/** The placeholder for secret values (unless secrets are shown). */
export const SECRET_PLACEHOLDER = "[secret]";

/** The environment variable that holds the digest key. */
export const SECRET_DIGEST_KEY_ENV = "THANOS_RENDER_SECRET_DIGEST_KEY";

/** What a render writes for a secret value. */
export function secretPlaceholder(value: unknown, key = process.env[SECRET_DIGEST_KEY_ENV]): string {
    if (key === undefined || key === "") return SECRET_PLACEHOLDER;
    return `[secret ${createHmac("sha256", key).update(JSON.stringify(value) ?? "undefined").digest("hex").slice(0, 16)}]`;
}

/** Whether a rendered value is a secret placeholder (with or without a digest). */
export function isSecretPlaceholder(v: unknown): boolean {
    return typeof v === "string" && (v === SECRET_PLACEHOLDER || /^\[secret [0-9a-f]{16}\]$/.test(v));
}
