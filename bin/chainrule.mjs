#!/usr/bin/env node
// The chainrule command: `chainrule explain "(x + y) * z" x=-2 y=5 z=-4 [--svg out.svg]`.
// The implementation is src/cli/main.ts (built to dist/cli/main.js); this file connects it to
// the process: standard output and error, and the file system for --svg and --dot.
import { writeFileSync } from "node:fs";
import { cannotWrite, main } from "../dist/cli/main.js";

// Output piped into a program that stops reading (`| head`) is not an error; any other failure
// to write (a full disk) is one line on stderr and exit 1.
process.stdout.on("error", (e) => {
  if (e.code !== "EPIPE") process.stderr.write(`chainrule: ${cannotWrite("standard output", e)}\n`);
  process.exit(e.code === "EPIPE" ? (process.exitCode ?? 0) : 1);
});
process.stderr.on("error", (e) => process.exit(e.code === "EPIPE" ? (process.exitCode ?? 0) : 1));

main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  writeFile: (path, text) => writeFileSync(path, text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`chainrule: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  },
);
