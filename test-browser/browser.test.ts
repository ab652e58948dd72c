// The browser example (examples/browser/) in a real headless Chromium: Debian's
// /usr/bin/chromium driven by playwright-core (no browser download). Checks the seed's
// gradients as the page computed them, a falling loss, and the drawing (Graphviz in
// WebAssembly). Run with `npm run test:browser` (.ci/run installs Chromium and runs it);
// CHROMIUM_PATH overrides the browser's path. Without Chromium this test FAILS, saying how to
// install it: it never skips silently.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../scripts/serve.mjs";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

interface DemoResults {
  seed1: { value: number; grads: number[] };
  seed2: { value: number; dw: number[]; dx: number[] };
  losses: number[];
  dLossDw1: { byHand: number; byChainrule: number };
  svg: boolean;
  plot: boolean;
  done: boolean;
  error: string | undefined;
}

let browser: BrowserContext | undefined;
let server: { url: string; close: () => Promise<void> } | undefined;
let profile: string | undefined;
let results: DemoResults;
const pageErrors: string[] = [];
const shot = join(import.meta.dirname, "..", "test-results", "browser-example.png");

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install Debian's package (as .ci/run does): ` +
        "apt-get update && apt-get install -y chromium — or set CHROMIUM_PATH to a Chromium binary.",
    );
  }
  if (!existsSync(join(import.meta.dirname, "..", "dist", "index.js"))) throw new Error("dist/ is missing: run `npm run build`");
  server = await startServer();
  profile = mkdtempSync(join(tmpdir(), "chainrule-chromium-"));
  // A new, empty profile directory for every run.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 1100, height: 1400 },
    // A closed network: no background connections, no updates, no sync, no QUIC.
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 60_000,
  });
  const page = await browser.newPage();
  page.on("pageerror", (e) => pageErrors.push(`page error: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  page.on("console", (m) => {
    // (A failed request is reported above with its address.)
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) pageErrors.push(`console error: ${m.text()}`);
  });
  await page.goto(`${server.url}/examples/browser/index.html`);
  try {
    await page.waitForFunction(() => (globalThis as unknown as { chainruleDemo?: { done: boolean } }).chainruleDemo?.done === true, undefined, {
      timeout: 60_000,
    });
  } catch (e) {
    throw new Error(`the page did not finish: ${pageErrors.join("; ") || (e as Error).message}`);
  }
  results = await page.evaluate(() => (globalThis as unknown as { chainruleDemo: DemoResults }).chainruleDemo);
  await page.screenshot({ path: shot, fullPage: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
});

describe("the browser example in headless Chromium", () => {
  it("runs without errors", () => {
    expect(pageErrors).toEqual([]);
    expect(results.error).toBeUndefined();
  });

  it("computes the seed's first example: f = -12, gradients [-4, -4, 3]", () => {
    expect(results.seed1).toEqual({ value: -12, grads: [-4, -4, 3] });
  });

  it("computes the sigmoid neuron: f ≈ 0.73, df/dw ≈ [-0.20, -0.39, 0.20], df/dx ≈ [0.39, -0.59]", () => {
    const s = 1 / (1 + Math.exp(-1));
    const ds = s * (1 - s);
    expect(results.seed2.value).toBeCloseTo(s, 14);
    expect(results.seed2.dw.map((v) => v.toFixed(2))).toEqual(["-0.20", "-0.39", "0.20"]);
    expect(results.seed2.dx.map((v) => v.toFixed(2))).toEqual(["0.39", "-0.59"]);
    [-ds, -2 * ds, ds].forEach((e, i) => expect(results.seed2.dw[i]).toBeCloseTo(e, 14));
  });

  it("agrees with the notes' formula for dLoss/dw1", () => {
    expect(results.dLossDw1.byChainrule).toBeCloseTo(results.dLossDw1.byHand, 14);
  });

  it("trains the small network: the loss falls", () => {
    const { losses } = results;
    expect(losses.length).toBeGreaterThan(100);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.25);
    // Falling throughout, not only overall: each tenth of the run ends lower than it began.
    const tenth = Math.floor(losses.length / 10);
    for (let k = 0; k + tenth < losses.length; k += tenth) expect(losses[k + tenth]!).toBeLessThan(losses[k]!);
  });

  it("plots the loss curve with chainrule/draw's plotSvg", () => {
    expect(results.plot).toBe(true);
  });

  it("draws the neuron's graph with Graphviz compiled to WebAssembly", () => {
    expect(results.svg).toBe(true);
  });
});
