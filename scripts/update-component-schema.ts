/**
 * npm run schema:update — refreshes test/fixtures/component-schema.json, the snapshot of the component
 * package's inferred public schema. Review the diff: a removed or renamed input, a property that became
 * required, or a changed type breaks the programs (in any language) that use the components.
 */
import * as fs from "fs";
import * as path from "path";
import { inferPackageSchema, SCHEMA_SNAPSHOT, schemaSnapshotText } from "./lib/componentSchema";

const schema = inferPackageSchema();
fs.writeFileSync(SCHEMA_SNAPSHOT, schemaSnapshotText(schema));
const ready = Object.values(schema.components).filter((c) => c.schemaReady).length;
process.stdout.write(
    `wrote ${path.relative(process.cwd(), SCHEMA_SNAPSHOT)}: ${Object.keys(schema.components).length} components (${ready} schema-ready), ` +
        `${Object.keys(schema.types).length} types, ${schema.violations.length} schema-inference violations\n`,
);
