// Makes the browser example work inside the documentation site. typedoc copies the page the
// README links (examples/browser/index.html) into docs/api/media/, but not what the page loads:
// its script imports ../../dist/ and, through an import map, ../../node_modules/. This script
// bundles examples/browser/main.js with everything it imports (chainrule, Graphviz in
// WebAssembly) into one classic script next to typedoc's copy, and points the copy at it, so
// the page runs from any static host and from file:// (where module scripts are refused).
//
//   node scripts/site-example.mjs [site directory]    (after typedoc, in npm run docs/docs:check;
//                                                      needs dist/: npm run build)
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const EXAMPLE = join(root, "examples", "browser");
export const BUNDLE = "browser-example.js";

/**
 * The example page as the site serves it: the import map dropped (the bundle needs none) and
 * the module script replaced by the classic bundle.
 */
export function sitePage(html) {
  const out = html
    .replace(/\s*<!--[^>]*-->\s*<script type="importmap">[\s\S]*?<\/script>/, "")
    .replace(/<script type="module" src="\.\/main\.js"><\/script>/, `<script src="./${BUNDLE}"></script>`);
  if (out.includes("importmap") || !out.includes(`src="./${BUNDLE}"`)) {
    throw new Error("site-example: examples/browser/index.html no longer has the import map and module script this script replaces");
  }
  return out;
}

/** Writes the example into `dir` as `index.html` (or `pageName`) and its bundle. */
export async function writeSiteExample(dir, pageName = "index.html") {
  if (!existsSync(join(root, "dist", "index.js"))) throw new Error("site-example: dist/ is missing: run `npm run build`");
  await build({
    entryPoints: [join(EXAMPLE, "main.js")],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    outfile: join(dir, BUNDLE),
    logLevel: "error",
    // Graphviz's loader reads import.meta.url only to find a separate .wasm file; this build
    // embeds the WebAssembly, so the page's own address does.
    define: { "import.meta.url": "document.baseURI" },
  });
  writeFileSync(join(dir, pageName), sitePage(readFileSync(join(EXAMPLE, "index.html"), "utf8")));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const site = resolve(process.argv[2] ?? join(root, "docs", "api"));
  const media = join(site, "media");
  const source = readFileSync(join(EXAMPLE, "index.html"), "utf8");
  const copies = existsSync(media) ? readdirSync(media).filter((f) => f.endsWith(".html") && readFileSync(join(media, f), "utf8") === source) : [];
  if (copies.length !== 1) {
    console.error(`site-example: expected one copy of examples/browser/index.html in ${media} (the README links it), found ${copies.length}`);
    process.exit(1);
  }
  await writeSiteExample(media, copies[0]);
  console.log(`site-example: media/${copies[0]} runs media/${BUNDLE}`);
}
