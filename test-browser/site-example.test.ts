// The browser example as the documentation site serves it (scripts/site-example.mjs: one
// bundled classic script next to the page) opened from file:// in Debian's headless Chromium —
// the way a reader opens docs/api/index.html — must reach its final state, drawing included.
// Without Chromium this test FAILS, saying how to install it (see browser.test.ts).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { writeSiteExample } from "../scripts/site-example.mjs";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const work = mkdtempSync(join(tmpdir(), "chainrule-site-example-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the browser example inside the documentation site", () => {
  it("runs from file:// to 'done': the seed's gradients and the Graphviz drawing", async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    const site = join(work, "media");
    await writeSiteExample(site);
    const browser = await chromium.launchPersistentContext(join(work, "profile"), {
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"],
      timeout: 60_000,
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      await page.goto(pathToFileURL(join(site, "index.html")).href);
      await page.waitForFunction(() => (globalThis as unknown as { chainruleDemo?: { done: boolean } }).chainruleDemo?.done === true, undefined, {
        timeout: 60_000,
      });
      const results = await page.evaluate(
        () => (globalThis as unknown as { chainruleDemo: { seed1: unknown; svg: boolean; error: string | undefined } }).chainruleDemo,
      );
      expect(errors).toEqual([]);
      expect(results.error).toBeUndefined();
      expect(await page.textContent("#status")).toBe("done");
      expect(results.seed1).toEqual({ value: -12, grads: [-4, -4, 3] });
      expect(results.svg).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
