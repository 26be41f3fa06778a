/** npm run docs:config — regenerates docs/configuration.md from the schema. */
import * as fs from "fs";
import * as path from "path";
import { configReference } from "./lib/configDocs";

const file = path.resolve(__dirname, "..", "docs", "configuration.md");
fs.writeFileSync(file, configReference());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
