/** Images of the bench's own helpers (not part of the stack), built from e2e/programs. */
export const BENCH_IMAGES = {
    exporter: "localhost/thanos-stack-e2e/exporter:local",
    webhook: "localhost/thanos-stack-e2e/webhook:local",
    probe: "localhost/thanos-stack-e2e/probe:local",
} as const;
