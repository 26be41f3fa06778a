/** npm run docs:components — regenerates docs/components.md from the TSDoc of the components. */
import * as fs from "fs";
import * as path from "path";
import { componentReference } from "./lib/componentDocs";
import { inferPackageSchema, REPO_ROOT } from "./lib/componentSchema";

const file = path.join(REPO_ROOT, "docs", "components.md");
fs.writeFileSync(file, componentReference(inferPackageSchema()));
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
