// After `tsc -p tsconfig.build.json`: makes the shipped declarations compile under TypeScript's
// defaults (`tsc --strict file.ts`: target ES5, lib ES5, module CommonJS), which a new user
// meets before writing a tsconfig.json.
//  - The entry declarations (package.json `exports`) start with `/// <reference lib="es2022" />`:
//    they use ES2015+ types (Map, Set, Promise, iterables), which lib ES5 lacks ("Cannot find
//    name 'Map'").
//  - tsc writes a class with ES private fields as `#private;`, which targets below ES2015
//    refuse (TS18028). A TypeScript-private member of the same name keeps the class nominal,
//    which is all `#private` says to a consumer.
//
//   node scripts/dts-defaults.mjs      (part of npm run build)
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const REFERENCE = '/// <reference lib="es2022" />\n';

const entries = new Set();
for (const entry of Object.values(pkg.exports)) {
  if (typeof entry === "object" && typeof entry.types === "string") entries.add(join(root, entry.types));
}

const dist = join(root, "dist");
for (const name of readdirSync(dist, { recursive: true, encoding: "utf8" })) {
  if (!name.endsWith(".d.ts")) continue;
  const file = join(dist, name);
  const text = readFileSync(file, "utf8");
  let out = text.replace(/^(\s*)#private;$/gm, '$1private "#private";');
  if (entries.has(file) && !out.startsWith(REFERENCE)) out = REFERENCE + out;
  if (out !== text) writeFileSync(file, out);
}
