// Checks the links of the built documentation site (docs/api/, written by `npm run docs`):
// every `href` and `src` in its HTML files must name a file of the site, and a `#anchor` on an
// HTML page must name an element of that page. External (http, https) links are listed, not
// fetched; one that is really a file name Markdown turned into an address (`http://README.md`)
// is an error.
//
//   node scripts/check-site-links.mjs [site directory]     (default docs/api; run by .ci/run)
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** `s` with HTML character references decoded. */
function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === "#") return String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** Every file under `dir`, absolute (an explicit stack, no recursion). */
function filesUnder(dir) {
  const out = [];
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop();
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else out.push(path);
    }
  }
  return out;
}

/** The `href` and `src` values of the tags of an HTML text (script bodies and comments skipped). */
export function htmlLinks(html) {
  const text = html.replace(/<!--[\s\S]*?-->/g, "").replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, "$1</script>");
  const links = [];
  for (const [tag] of text.matchAll(/<[a-z][a-z0-9-]*\b[^>]*>/gi)) {
    for (const m of tag.matchAll(/\s(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
      links.push(decodeEntities(m[2] ?? m[3] ?? m[4] ?? ""));
    }
  }
  return links;
}

/** The ids (and `name`s) of the elements of an HTML text: the anchors a link may name. */
function htmlAnchors(html) {
  const ids = new Set();
  for (const m of html.matchAll(/\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) ids.add(decodeEntities(m[1] ?? m[2] ?? ""));
  return ids;
}

/**
 * Checks the site in `dir`.
 * @returns {{ pages: number, checked: number, broken: string[], external: string[] }} `broken`:
 *   "page: link (why)" for each bad link; `external`: the distinct external addresses, sorted.
 */
export function checkSite(dir) {
  const root = resolve(dir);
  const pages = filesUnder(root).filter((f) => f.endsWith(".html"));
  const anchorsOf = new Map();
  const anchors = (file) => {
    if (!anchorsOf.has(file)) anchorsOf.set(file, htmlAnchors(readFileSync(file, "utf8")));
    return anchorsOf.get(file);
  };
  const broken = [];
  const external = new Set();
  let checked = 0;
  for (const page of pages) {
    const where = relative(root, page).split(sep).join("/");
    for (const link of htmlLinks(readFileSync(page, "utf8"))) {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(link)?.[1]?.toLowerCase();
      if (scheme !== undefined || link.startsWith("//")) {
        if (scheme === "http" || scheme === "https" || scheme === undefined) {
          external.add(link);
          const host = /^(?:[a-z]+:)?\/\/([^/?#]+)/i.exec(link)?.[1] ?? "";
          if (/\.md$/i.test(host)) broken.push(`${where}: ${link} (a file name taken for a web address: write it as code, or link the file)`);
        }
        continue; // data:, mailto:, javascript: — nothing to resolve
      }
      checked++;
      const hash = link.indexOf("#");
      const path = decodeURIComponent((hash === -1 ? link : link.slice(0, hash)).replace(/\?.*$/, ""));
      const anchor = hash === -1 ? "" : decodeURIComponent(link.slice(hash + 1));
      let target = path === "" ? page : path.startsWith("/") ? join(root, path) : resolve(dirname(page), path);
      if (target !== root && !target.startsWith(root + sep)) {
        broken.push(`${where}: ${link} (outside the site)`);
        continue;
      }
      if (existsSync(target) && statSync(target).isDirectory()) target = join(target, "index.html");
      if (!existsSync(target)) {
        broken.push(`${where}: ${link} (no such file)`);
        continue;
      }
      if (anchor !== "" && target.endsWith(".html") && !anchors(target).has(anchor)) {
        broken.push(`${where}: ${link} (no element with id "${anchor}")`);
      }
    }
  }
  return { pages: pages.length, checked, broken, external: [...external].sort() };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "api");
  if (!existsSync(join(dir, "index.html"))) {
    console.error(`check-site-links: no site in ${dir}: run \`npm run docs\` first`);
    process.exit(1);
  }
  const { pages, checked, broken, external } = checkSite(dir);
  console.log(`check-site-links: ${pages} pages, ${checked} links within the site checked`);
  console.log(`external links (listed, not fetched): ${external.length}`);
  for (const link of external) console.log(`  ${link}`);
  if (broken.length > 0) {
    console.error(`check-site-links: ${broken.length} broken link(s):`);
    for (const b of broken) console.error(`  ${b}`);
    process.exit(1);
  }
}
