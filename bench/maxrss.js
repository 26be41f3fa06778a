/**
 * Preloaded into benchmarked node processes (`node -r ./bench/maxrss.js ...`):
 * writes the process's peak resident set size (KiB) to $BENCH_RSS_FILE on exit.
 */
"use strict";
const fs = require("fs");
const file = process.env.BENCH_RSS_FILE;
if (file) process.on("exit", () => fs.writeFileSync(file, String(process.resourceUsage().maxRSS)));
