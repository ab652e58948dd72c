import { defineConfig } from "vitest/config";

// `npm run test:browser`: the browser example in headless Chromium (test-browser/), apart from
// `npm test` because it needs Debian's chromium package (.ci/run installs it).
export default defineConfig({
  test: {
    include: ["test-browser/**/*.test.ts"],
    reporters: ["default", "json"],
    outputFile: { json: "test-results/browser.json" },
    testTimeout: 120_000,
    hookTimeout: 150_000,
    pool: "forks",
  },
});
