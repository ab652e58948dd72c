// The package as a user gets it from the registry: `npm pack`, installed into a fresh project
// (offline, its dependencies from npm's cache), then compiled with TypeScript's defaults and
// with the tsconfig.json that getting-started recommends, and run with node. Also: every
// relative link in the shipped Markdown resolves inside the package, and no shipped source map
// names a source that is neither shipped nor embedded. Uses the current dist/ (`npm test`
// builds first).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version: string; resolved?: string }>;
};

let work: string;
let project: string;
let pkgDir: string;

/** Runs a command; on failure the error carries its output, so the test says what went wrong. */
function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

/**
 * The tarball of a package at the version the lockfile pins, by its registry address: npm's
 * cache holds it under that address since the repository's install, so the install needs no
 * network (`--prefer-offline`: the registry is asked only if the cache was cleared).
 */
function cachedTarball(name: string): string {
  const entry = lock.packages[`node_modules/${name}`];
  if (entry === undefined) throw new Error(`${name} is not in package-lock.json`);
  if (entry.resolved !== undefined) return entry.resolved;
  // The lockfile records no address: the configured registry's usual tarball path.
  const registry = run("npm", ["config", "get", "registry"], ROOT).trim().replace(/\/?$/, "/");
  return `${registry}${name}/-/${name.split("/").pop()!}-${entry.version}.tgz`;
}

function npmInstall(specs: string[]): void {
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock", ...specs], project);
}

/** Files under `dir`, relative, with forward slashes (an explicit stack, no recursion). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const stack = [""];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    for (const d of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel === "" ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory()) stack.push(path);
      else out.push(path);
    }
  }
  return out;
}

/** The link targets of a Markdown text: inline links and images, and reference definitions. */
function markdownLinks(text: string): string[] {
  const withoutCode = text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
  const inline = [...withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const refs = [...withoutCode.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
  return [...inline, ...refs];
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "chainrule-tarball-"));
  const out = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], ROOT)) as { filename: string }[];
  const tarball = join(work, out[0]!.filename);
  project = join(work, "project");
  mkdirSync(project);
  // No "type": the defaults' CommonJS output first; the recommended setup below adds it.
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "first-contact", version: "1.0.0", private: true }));
  npmInstall([tarball, cachedTarball("fp-ts"), cachedTarball("io-ts")]);
  pkgDir = join(project, "node_modules", "chainrule");
}, 60_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("the package installed from its tarball", () => {
  it("compiles against TypeScript's defaults (tsc --strict file.ts) and runs under node", () => {
    // Without @types/node or a tsconfig.json: target ES5, lib ES5 — no Map, no private fields.
    expect(existsSync(join(project, "node_modules", "@types"))).toBe(false);
    writeFileSync(
      join(project, "file.ts"),
      [
        'import { grad, mul, sin, valueAndGrad, add, type Num } from "chainrule";',
        "const f = (x: Num) => mul(x, sin(x));",
        "const g = (p: { w: Num[] }) => add(mul(p.w[0]!, p.w[1]!), p.w[1]!);",
        "console.log(JSON.stringify([grad(f)(1), valueAndGrad(g)({ w: [3, -2] })]));",
      ].join("\n"),
    );
    // The entry declarations bring in the ES2022 lib their types need (Map, Set, Promise, …).
    for (const entry of ["dist/index.d.ts", "dist/draw/index.d.ts"]) {
      expect(readFileSync(join(pkgDir, entry), "utf8"), entry).toMatch(/^\/\/\/ <reference lib="es2022" \/>\n/);
    }
    run(process.execPath, [TSC, "--strict", "file.ts"], project);
    const [df, [value, grads]] = JSON.parse(run(process.execPath, ["file.js"], project)) as [number, [number, { w: number[] }]];
    expect(df).toBeCloseTo(Math.sin(1) + Math.cos(1), 14);
    expect(value).toBe(-8);
    expect(grads).toEqual({ w: [-2, 4] });
  }, 60_000);

  it("compiles with getting-started's tsconfig.json (both entry points) and runs under node", () => {
    // The tsconfig.json exactly as the shipped guide shows it.
    const guide = readFileSync(join(pkgDir, "docs", "getting-started.md"), "utf8");
    const tsconfig = /^### TypeScript setup$[\s\S]*?^```json\n([\s\S]*?)^```$/m.exec(guide)?.[1];
    expect(tsconfig, "getting-started.md has a ```json tsconfig under 'TypeScript setup'").toBeDefined();
    expect(guide).toContain("npm install --save-dev typescript @types/node");
    npmInstall([cachedTarball("@types/node"), cachedTarball("undici-types")]);
    const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(project, "package.json"), JSON.stringify({ ...pkg, type: "module" }));
    writeFileSync(join(project, "tsconfig.json"), tsconfig!);
    mkdirSync(join(project, "src"));
    writeFileSync(
      join(project, "src", "main.ts"),
      [
        'import { grad, makeGraph, mul, add, type Num } from "chainrule";',
        'import type { renderDot } from "chainrule/draw";',
        "type Render = typeof renderDot;",
        "const f = (x: Num, y: Num, z: Num) => mul(add(x, y), z);",
        "const render: Render | undefined = undefined;",
        "console.log(JSON.stringify([grad(f, { argnums: [0, 1, 2] })(-2, 5, -4), makeGraph(f)(-2, 5, -4).equations().length, render === undefined]));",
      ].join("\n"),
    );
    run(process.execPath, [TSC, "-p", "."], project);
    expect(JSON.parse(run(process.execPath, [join("dist", "main.js")], project))).toEqual([[-4, -4, 3], 2, true]);
  }, 60_000);

  it("ships the guides and their pictures, so every relative link in its Markdown resolves", () => {
    const markdown = filesUnder(pkgDir).filter((f) => f.endsWith(".md") && !f.startsWith("node_modules/"));
    expect(markdown).toContain("README.md");
    expect(markdown).toContain("docs/getting-started.md");
    const broken: string[] = [];
    let checked = 0;
    for (const file of markdown) {
      for (const link of markdownLinks(readFileSync(join(pkgDir, file), "utf8"))) {
        if (/^[a-z][a-z0-9+.-]*:|^#/i.test(link)) continue; // external, or an anchor in the same file
        checked++;
        const target = resolve(dirname(join(pkgDir, file)), decodeURI(link.replace(/[?#].*$/, "")));
        if (!target.startsWith(pkgDir) || !existsSync(target)) broken.push(`${file}: ${link}`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it("ships no source map that names a source it neither ships nor embeds", () => {
    const maps = filesUnder(pkgDir).filter((f) => f.endsWith(".map"));
    expect(maps.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources, sourcesContent, sourceRoot } = JSON.parse(readFileSync(join(pkgDir, map), "utf8")) as {
        sources: string[];
        sourcesContent?: (string | null)[];
        sourceRoot?: string;
      };
      sources.forEach((source, i) => {
        if (typeof sourcesContent?.[i] === "string") return;
        if (!existsSync(resolve(dirname(join(pkgDir, map)), sourceRoot ?? "", source))) missing.push(`${map}: ${source}`);
      });
    }
    expect(missing).toEqual([]);
  });
});
