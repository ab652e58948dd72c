import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests and documentation examples import the package by its name ("chainrule",
// "chainrule/draw", …); each entry point of package.json `exports` maps to its source in src/.
const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  name: string;
  exports: Record<string, string | { import?: string }>;
};
const alias = Object.entries(pkg.exports).flatMap(([key, target]) => {
  const js = typeof target === "string" ? target : target.import;
  if (js === undefined || !js.startsWith("./dist/") || !js.endsWith(".js")) return [];
  const name = key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`;
  const source = fileURLToPath(new URL(`./src/${js.slice("./dist/".length, -".js".length)}.ts`, import.meta.url));
  return [{ find: new RegExp(`^${name.replace(/[/.]/g, "\\$&")}$`), replacement: source }];
});

export default defineConfig({
  resolve: { alias },
  test: {
    include: ["test/**/*.test.ts"],
    // The JSON report lets .ci/run print its "N passed, M failed" line.
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
    testTimeout: 60_000,
    pool: "forks",
    // Two workers even on a two-core machine (the default leaves one core to the main process):
    // the long scale files then run beside the rest instead of before or after it.
    maxWorkers: 2,
  },
});
