// Bundle size of the core import, as a browser app would ship it: dist/ bundled by esbuild,
// minified, then gzipped (level 9). Dependencies are bundled too (they are part of what users
// download). Also checks that the core import never pulls in the drawing code or
// @viz-js/viz (only `chainrule/draw` may load them).
//
//   node scripts/bundle-size.mjs                   print the table (npm run size)
//   node scripts/bundle-size.mjs --update-readme   also write the numbers into README.md
//                                                  (between <!-- size --> and <!-- /size -->)
import { build } from "esbuild";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const core = join(root, "dist", "index.js");
const draw = join(root, "dist", "draw", "index.js");
if (!existsSync(core)) {
  console.error("bundle-size: dist/index.js is missing: run `npm run build` first");
  process.exit(1);
}

/** Bundles `contents` (an ES module) and measures it. */
async function measure(name, contents, external = []) {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: `${name}.js`, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    external,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  const inputs = Object.keys(result.metafile.inputs).map((p) => relative(root, resolve(root, p)));
  return { name, minified: code.length, gzip: gzipSync(code, { level: 9 }).length, inputs };
}

const rows = [
  await measure("everything: import * from \"chainrule\"", `export * from ${JSON.stringify(core)};`),
  await measure(
    "typical: { grad, valueAndGrad, add, mul, exp, sigmoid }",
    `import { grad, valueAndGrad, add, mul, exp, sigmoid } from ${JSON.stringify(core)};\nexport { grad, valueAndGrad, add, mul, exp, sigmoid };`,
  ),
  await measure("chainrule/draw, without @viz-js/viz itself", `export * from ${JSON.stringify(draw)};`, ["@viz-js/viz"]),
];

let failed = false;
for (const row of rows.slice(0, 2)) {
  const bad = row.inputs.filter((p) => p.includes("@viz-js") || p.startsWith(join("dist", "draw")) || p.startsWith(join("dist", "cli")));
  if (bad.length > 0) {
    failed = true;
    console.error(`bundle-size: the core import pulls in ${bad.join(", ")}: only chainrule/draw may load the drawing code`);
  }
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const width = Math.max(...rows.map((r) => r.name.length));
console.log(`${"bundle".padEnd(width)}  ${"minified".padStart(10)}  ${"min + gzip".padStart(10)}`);
for (const r of rows) console.log(`${r.name.padEnd(width)}  ${kb(r.minified).padStart(10)}  ${kb(r.gzip).padStart(10)}`);

if (process.argv.includes("--update-readme")) {
  const readmePath = join(root, "README.md");
  const readme = readFileSync(readmePath, "utf8");
  const text =
    `<!-- size -->${kb(rows[0].gzip)} minified and gzipped for everything (\`import * from "chainrule"\`), ` +
    `${kb(rows[1].gzip)} for a typical import (\`grad\`, \`valueAndGrad\` and a few primitives)<!-- /size -->`;
  const next = readme.replace(/<!-- size -->[\s\S]*?<!-- \/size -->/, text);
  if (next === readme && !readme.includes(text)) {
    console.error("bundle-size: README.md has no <!-- size --><!-- /size --> markers");
    failed = true;
  } else {
    writeFileSync(readmePath, next);
    console.log("bundle-size: README.md updated");
  }
}
process.exit(failed ? 1 : 0);
