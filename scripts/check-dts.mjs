// Compiles a consumer of every entry point (package.json `exports`) against the shipped
// declarations in dist/, with `skipLibCheck: false`, no @types/node and no DOM: the types
// users get must compile on their own (e.g. nothing @internal that stripInternal removed may
// still be referenced), under both NodeNext and bundler resolution.
//
//   node scripts/check-dts.mjs      (after npm run build; part of npm run lint:package)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const dir = join(root, "temp", "dts-check");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const specifiers = Object.keys(pkg.exports)
  .filter((k) => k !== "./package.json")
  .map((k) => (k === "." ? pkg.name : `${pkg.name}/${k.slice(2)}`));
const file = join(dir, "consumer.ts");
writeFileSync(
  file,
  specifiers.map((s, i) => `import * as entry${i} from ${JSON.stringify(s)};\nexport const keep${i} = Object.keys(entry${i});\n`).join(""),
);

const common = {
  strict: true,
  skipLibCheck: false,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  types: [],
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
};
const variants = {
  "NodeNext": { ...common, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  "bundler": { ...common, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
};

let errors = 0;
for (const [name, options] of Object.entries(variants)) {
  const program = ts.createProgram([file], options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" };
  if (diagnostics.length > 0) {
    errors += diagnostics.length;
    console.error(`check-dts (${name}): the shipped declarations do not compile:\n${ts.formatDiagnostics(diagnostics, host)}`);
  } else {
    const shipped = program.getSourceFiles().filter((f) => f.fileName.startsWith(join(root, "dist"))).length;
    console.log(`check-dts (${name}): ${specifiers.join(", ")} compile (${shipped} declaration files, skipLibCheck off)`);
  }
}
rmSync(dir, { recursive: true, force: true });
process.exit(errors > 0 ? 1 : 0);
