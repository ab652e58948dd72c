// The pictures committed in docs/images/ are what scripts/docs-pictures.mjs draws from the
// current source (`npm run docs:pictures` rewrites them), and every one is used by a guide.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IMAGES_DIR, TRAINING_PICTURES, docsGraphs, stalePictures } from "../scripts/docs-pictures.mjs";

describe("docs/images", () => {
  it("is up to date (run npm run docs:pictures after changing how graphs are drawn)", async () => {
    expect(await stalePictures()).toEqual([]);
  }, 60_000);

  it("holds only the pictures the script draws, each shown by a guide", () => {
    const drawn = [...docsGraphs().map((g) => g.name), ...TRAINING_PICTURES].map((name) => `${name}.svg`);
    expect(readdirSync(IMAGES_DIR).sort()).toEqual([...drawn].sort());
    const docs = join(IMAGES_DIR, "..");
    const guides = readdirSync(docs)
      .filter((f) => f.endsWith(".md"))
      .map((f) => readFileSync(join(docs, f), "utf8"))
      .join("\n");
    for (const file of drawn) expect(guides, file).toContain(`(images/${file})`);
  });

  it("no picture adds or subtracts a constant 0 (a node that does nothing, drawn as \"− 0\")", () => {
    for (const { name, graph } of docsGraphs()) {
      for (const eq of graph.equations()) {
        if (eq.primitive === "add" || eq.primitive === "sub") {
          expect(eq.inputs, `${name}: ${eq.output}`).not.toContain("0");
          expect(eq.inputs, `${name}: ${eq.output}`).not.toContain("-0");
        }
      }
    }
  });

  it("the lecture notes' numbers are on the pictures", () => {
    const [addMul, neuron] = docsGraphs();
    expect(addMul!.graph.values).toContain(-12);
    expect(neuron!.graph.grads!.map((g) => Math.round((g as number) * 100) / 100)).toEqual(expect.arrayContaining([-0.2, -0.39, 0.2, 0.39, -0.59]));
  });
});
