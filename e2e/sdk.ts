/**
 * npm run sdk: the component package's Python and Go SDKs, made with the bench's real Pulumi CLI (see
 * e2e/lib/sdk.ts), into out/sdk/{python,go}. Needs the bench's tools (`npm run e2e:tools`); no cluster.
 */
import { formatSeconds, progress } from "./lib/exec";
import { generateSdks, SDK_OUT } from "./lib/sdk";
import { missingTools } from "./tools/installed";

async function main(): Promise<number> {
    const needed = ["pulumi", "pulumi-resource-kubernetes", "pulumi-sdkgen"];
    const missing = missingTools().filter((t) => needed.includes(t.name));
    if (missing.length > 0) {
        process.stderr.write(`npm run sdk needs the bench's ${missing.map((t) => t.name).join(", ")}: run npm run e2e:tools first\n`);
        return 2;
    }
    const sdks = await generateSdks(SDK_OUT, progress);
    for (const l of sdks.leftOut) progress(`sdk: left out ${l}`);
    process.stdout.write(`sdk: ${sdks.pythonDir} and ${sdks.goDir} in ${formatSeconds(sdks.seconds)} (schema inference ${formatSeconds(sdks.schemaSeconds)}; ${sdks.leftOut.length} schema entries left out)\n`);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        process.stderr.write(`npm run sdk: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(2);
    },
);
