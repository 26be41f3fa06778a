import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // The Pulumi runtime keeps global state: one process per test file.
        pool: "forks",
        isolate: false,
        testTimeout: 60_000,
        hookTimeout: 60_000,
        setupFiles: ["test/support/cleanup.ts"],
    },
});
