// The documentation site's link checker (scripts/check-site-links.mjs; .ci/run runs it on the
// built docs/api/ right after typedoc) on a tiny site written here, and the page that runs the
// browser example inside the site (scripts/site-example.mjs). Also the guides' Markdown forms
// that typedoc turned into broken links in the site.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSite, htmlLinks } from "../scripts/check-site-links.mjs";
import { BUNDLE, sitePage } from "../scripts/site-example.mjs";

const ROOT = join(import.meta.dirname, "..");
let site: string;

function write(rel: string, text: string): void {
  mkdirSync(dirname(join(site, rel)), { recursive: true });
  writeFileSync(join(site, rel), text);
}

beforeAll(() => {
  site = mkdtempSync(join(tmpdir(), "chainrule-site-"));
  write(
    "index.html",
    [
      '<html><head><link rel="stylesheet" href="assets/style.css"><script src="assets/main.js"></script>',
      '<script>const a = "<a href=\\"nowhere.html\\">";</script></head><body>',
      '<a href="documents/Guide.html#md:the-graph">guide, section</a>',
      '<a href="documents/Guide.html#md:missing">missing section</a>',
      '<a href="#top" id="top">top</a> <a href="documents/">folder</a>',
      '<a href="documents/Guide.html?x=1&amp;y=2">query</a>',
      "<!-- <a href=\"commented.html\"> -->",
      '<a href="https://typedoc.org/">typedoc</a> <a href="http://README.md">README.md</a>',
      '<a href="mailto:someone@example.org">mail</a> <img src="data:image/png;base64,AAAA">',
      "<pre><code>&lt;a href=&quot;code.html&quot;&gt;</code></pre>",
      "</body></html>",
    ].join("\n"),
  );
  write("assets/style.css", "");
  write("assets/main.js", "");
  write(
    "documents/Guide.html",
    [
      '<a id="md:the-graph"></a><h2>The graph</h2>',
      '<a href="images/1-add-mul.svg"><img src="../media/1-add-mul.svg"></a>',
      '<a href="../../outside.html">outside</a>',
    ].join("\n"),
  );
  write("documents/index.html", "<p>documents</p>");
  write("media/1-add-mul.svg", "<svg/>");
});

afterAll(() => {
  if (site !== undefined) rmSync(site, { recursive: true, force: true });
});

describe("the site's link checker", () => {
  it("reads href and src of tags, not of script bodies, comments or escaped code", () => {
    const links = htmlLinks(readFileSync(join(site, "index.html"), "utf8"));
    expect(links).toContain("assets/main.js");
    expect(links).toContain("documents/Guide.html?x=1&y=2");
    expect(links).not.toContain("nowhere.html");
    expect(links).not.toContain("commented.html");
    expect(links).not.toContain("code.html");
  });

  it("reports links to missing files, missing anchors, outside the site, and file names taken for addresses", () => {
    const { broken } = checkSite(site);
    expect(broken.sort()).toEqual(
      [
        'index.html: documents/Guide.html#md:missing (no element with id "md:missing")',
        "index.html: http://README.md (a file name taken for a web address: write it as code, or link the file)",
        "documents/Guide.html: images/1-add-mul.svg (no such file)",
        "documents/Guide.html: ../../outside.html (outside the site)",
      ].sort(),
    );
  });

  it("accepts links to files, folders with an index.html, existing anchors, and ignores queries", () => {
    const { pages, checked, broken } = checkSite(site);
    expect(pages).toBe(3);
    // index.html: 2 assets, 2 guide links, #top, folder, query; Guide.html: 3.
    expect(checked).toBe(10);
    expect(broken).toHaveLength(4);
  });

  it("lists external addresses without fetching them, and skips mailto: and data:", () => {
    expect(checkSite(site).external).toEqual(["http://README.md", "https://typedoc.org/"]);
  });
});

describe("the documentation site's sources", () => {
  it("the site is checked in CI right after typedoc builds it", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts["docs:check"]).toMatch(/typedoc --treatWarningsAsErrors && node scripts\/site-example\.mjs$/);
    expect(pkg.scripts["docs:links"]).toBe("node scripts/check-site-links.mjs");
    expect(readFileSync(join(ROOT, ".ci", "run"), "utf8")).toContain("step docs npm run docs:check\nstep site-links npm run docs:links\n");
  });

  it("the guides wrap no image in an inline link (typedoc leaves the outer path pointing nowhere)", () => {
    for (const file of ["README.md", ...typedocGuides()]) {
      expect(readFileSync(join(ROOT, file), "utf8"), file).not.toMatch(/\[!\[[^\]]*\]\([^)]*\)\]\(/);
    }
  });

  it("the browser example's page in the site loads the bundle as a classic script, without the import map", () => {
    const page = sitePage(readFileSync(join(ROOT, "examples", "browser", "index.html"), "utf8"));
    expect(page).not.toContain("importmap");
    expect(page).not.toContain('type="module"');
    expect(page).toContain(`<script src="./${BUNDLE}"></script>`);
    expect(page).toContain('<output id="status">');
  });
});

function typedocGuides(): string[] {
  return (JSON.parse(readFileSync(join(ROOT, "typedoc.json"), "utf8")) as { projectDocuments: string[] }).projectDocuments;
}
