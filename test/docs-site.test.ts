// The guides in docs/ are part of the API site: typedoc.json lists every one of them (in the
// order of the site's navigation), each has a title, and README.md links every guide.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const guides = readdirSync(join(ROOT, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => `docs/${f}`);
const typedoc = JSON.parse(readFileSync(join(ROOT, "typedoc.json"), "utf8")) as { projectDocuments: string[] };

describe("the guides in the documentation site", () => {
  it("typedoc.json lists every docs/*.md, and nothing else", () => {
    expect([...typedoc.projectDocuments].sort()).toEqual([...guides].sort());
  });

  it.each(guides)("%s has a title (YAML front matter) and one top-level heading", (file) => {
    const text = readFileSync(join(ROOT, file), "utf8");
    expect(text).toMatch(/^---\ntitle: .+\n---\n/);
    expect(text.match(/^# /gm)).toHaveLength(1);
  });

  it("README.md links every guide", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const file of guides) expect(readme, file).toContain(`](${file})`);
  });
});
