#!/usr/bin/env node
// The benchmark runner: one child process per (system, workload) pair, then a table of medians,
// ratios to the hand-written baseline and targets, printed and written to bench/RESULTS.md.
//
//   node bench/run.mjs [--quick] [--only sys1,sys2] [--workload W3,W6] [--timeout 300] [--write]
//
// A filtered run (--only / --workload) prints its table but leaves RESULTS.md alone unless
// --write is given. See bench/README.md.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SYSTEMS, WORKLOAD_IDS, applies } from "./lib/systems.mjs";
import { WORKLOADS } from "./lib/workloads.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

// ---- options ---------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const opt = (...names) => {
  for (const n of names) {
    const i = argv.indexOf(n);
    if (i >= 0) return argv[i + 1];
  }
  return undefined;
};
if (argv.includes("--help") || argv.includes("-h")) {
  console.log(`usage: node bench/run.mjs [--quick] [--only ${Object.keys(SYSTEMS).join(",")}] [--workload ${WORKLOAD_IDS.join(",")}] [--timeout seconds] [--clock cpu|wall] [--write]`);
  process.exit(0);
}
const quick = argv.includes("--quick");
const list = (s) => (s === undefined ? undefined : s.split(",").map((x) => x.trim()).filter(Boolean));
const only = list(opt("--only", "--system", "--systems"));
const workloads = list(opt("--workload", "--workloads"))?.map((w) => w.toUpperCase());
const timeoutS = Number(opt("--timeout") ?? 300);
const clock = opt("--clock") ?? "cpu";
if (clock !== "cpu" && clock !== "wall") fail(`--clock must be cpu or wall, got ${clock}`);
const filtered = only !== undefined || workloads !== undefined;
const write = argv.includes("--write") || !filtered;
for (const s of only ?? []) if (!(s in SYSTEMS)) fail(`unknown system ${s}: one of ${Object.keys(SYSTEMS).join(", ")}`);
for (const w of workloads ?? []) if (!WORKLOAD_IDS.includes(w)) fail(`unknown workload ${w}: one of ${WORKLOAD_IDS.join(", ")}`);

function fail(msg) {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

// ---- set-up: the bench's own dependencies and the built package ----------------------------------
function ensureDeps() {
  const lock = join(here, "package-lock.json");
  const installed = join(here, "node_modules", ".package-lock.json");
  const present = ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-cpu", "@jax-js/jax"].every((p) => existsSync(join(here, "node_modules", p, "package.json")));
  if (present && existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  console.error("bench: installing the bench's dependencies (npm ci in bench/) …");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: here, stdio: ["ignore", "inherit", "inherit"] });
}
// The peers' packages are needed only when a selected case loads them.
const peerSystems = ["tfjs", "jax-js"].filter((s) => only === undefined || only.includes(s));
const peerWorkloads = WORKLOAD_IDS.filter((w) => workloads === undefined || workloads.includes(w));
if (peerSystems.some((s) => peerWorkloads.some((w) => applies(s, w) && SYSTEMS[s].na?.[w] === undefined))) ensureDeps();
if (!existsSync(join(root, "dist", "index.js"))) fail("dist/index.js is missing: run `npm run build` first (npm run bench does)");

// ---- running the cases -----------------------------------------------------------------------------
function runCase(system, workload) {
  return new Promise((resolve) => {
    const args = ["--expose-gc", "--max-old-space-size=8192", join(here, "case.mjs"), system, workload];
    if (quick) args.push("--quick");
    args.push("--clock", clock);
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutS * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (line) return resolve(JSON.parse(line.slice(7)));
      const base = { system, workload };
      if (timedOut) return resolve({ ...base, status: "timeout", message: `no result within ${timeoutS} s (killed)` });
      if (/Maximum call stack size exceeded/.test(err)) return resolve({ ...base, status: "stack overflow", message: "the process died of a stack overflow" });
      if (/heap out of memory|Reached heap limit/i.test(err)) return resolve({ ...base, status: "out of memory", message: "the process ran out of heap" });
      resolve({ ...base, status: "error", message: `exit ${code ?? signal}: ${err.trim().split("\n").slice(-3).join(" | ").slice(0, 300)}` });
    });
  });
}

const started = Date.now();
const loadStart = os.loadavg();
const results = [];
const systems = Object.keys(SYSTEMS).filter((s) => only === undefined || only.includes(s));
for (const w of WORKLOAD_IDS) {
  if (workloads !== undefined && !workloads.includes(w)) continue;
  for (const s of systems) {
    if (!applies(s, w)) continue;
    process.stderr.write(`${w} ${s.padEnd(16)} `);
    const t0 = Date.now();
    const r = await runCase(s, w);
    results.push(r);
    process.stderr.write(`${summary(r)}  [${((Date.now() - t0) / 1000).toFixed(1)} s]\n`);
  }
}
const loadEnd = os.loadavg();
const elapsedS = (Date.now() - started) / 1000;

// ---- targets and the issue's earlier measurements -------------------------------------------------
/** chainrule's targets (from the issue). A ratio target is "within N× of hand-written". */
const TARGETS = {
  "chainrule-jit": { W3: { ratio: 1.5 }, W4: { ratio: 2 }, W5: { ratio: 5 }, W6: { ratio: 3 } },
  "chainrule-eager": {
    W3: { fasterThan: "tape", by: 5 },
    W4: { fasterThan: "tape", by: 5 },
    W6: { fasterThan: "tape-iter", by: 20 },
    W7: { bytesPerOp: 100 },
  },
};
/** What the issue measured beforehand on this kind of machine, for reference. */
const EARLIER = {
  hand: { W3: "4.75 µs", W4: "141 µs", W5: "2.2 µs", W6: "1.8 ms" },
  tape: { W3: "3.6 ms (×760)", W4: "63 ms (×445)", W6: "stack overflow" },
  "tape-iter": { W6: "770 ms", W7: "~1 KB/op" },
  tfjs: { W3: "670 µs (×141)", W4: "858 µs (×6.1)", W5: "11.5 ms", W6: "20 s (n = 10⁵)" },
  "jax-js": { W3: "101 µs (×21)", W4: "660 µs (×4.7)", W5: "154 µs (×69)", W6: "stack overflow" },
};

const find = (s, w) => results.find((r) => r.system === s && r.workload === w);
function timed(r) {
  return r !== undefined && (r.status === "ok" || r.status === "check failed") && r.ratio !== undefined;
}

function targetOf(r) {
  const t = TARGETS[r.system]?.[r.workload];
  if (t === undefined) return { text: "", met: "" };
  if (t.bytesPerOp !== undefined) {
    const text = `< ${t.bytesPerOp} B/op`;
    if (r.bytesPerOp === undefined) return { text, met: "—" };
    return { text, met: r.bytesPerOp < t.bytesPerOp ? "met" : "not met" };
  }
  if (t.ratio !== undefined) {
    const text = `≤ ×${t.ratio}`;
    if (!timed(r)) return { text, met: "—" };
    if (r.status === "check failed") return { text, met: "not met (check failed)" };
    return { text, met: r.ratio <= t.ratio ? "met" : "not met" };
  }
  const ref = find(t.fasterThan, r.workload);
  const text = `≥ ${t.by}× faster than ${SYSTEMS[t.fasterThan].label.replace("micrograd ", "")}`;
  if (!timed(r)) return { text, met: "—" };
  if (!timed(ref)) return { text, met: `? (${t.fasterThan} not measured)` };
  if (r.status === "check failed") return { text, met: "not met (check failed)" };
  // Compare ratios to each process's own baseline (both measured at the same size).
  const speedup = ref.ratio / r.ratio;
  return { text, met: `${speedup >= t.by ? "met" : "not met"} (${fmtNum(speedup)}× faster)` };
}

// ---- formatting ---------------------------------------------------------------------------------
function fmtNum(x) {
  if (!Number.isFinite(x)) return String(x);
  if (x >= 100) return Math.round(x).toLocaleString("en-US");
  return x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
function fmtTime(ms) {
  if (ms === undefined) return "";
  if (ms < 1e-3) return `${fmtNum(ms * 1e6)} ns`;
  if (ms < 1) return `${fmtNum(ms * 1e3)} µs`;
  if (ms < 1000) return `${fmtNum(ms)} ms`;
  return `${fmtNum(ms / 1000)} s`;
}
function fmtBytes(b) {
  return b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${Math.round(b / 1e6)} MB`;
}
function fmtErr(e) {
  return e === 0 ? "0" : Number.isFinite(e) ? e.toExponential(0) : String(e);
}

function summary(r) {
  if (r.bytesPerOp !== undefined) return `${r.bytesPerOp.toFixed(1)} B/op, peak RSS ${fmtBytes(r.peakRssBytes)} (${r.status})`;
  if (timed(r)) return `${fmtTime(r.medianMs)} ×${fmtNum(r.ratio)} (${r.status})`;
  return `${r.status}${r.message ? `: ${r.message}` : ""}`;
}

function medianCell(r) {
  if (r.bytesPerOp !== undefined) return `${r.bytesPerOp.toFixed(1)} B/op, peak RSS ${fmtBytes(r.peakRssBytes)}`;
  if (timed(r)) return fmtTime(r.medianMs);
  if (r.status === "n/a") return r.message?.startsWith("n/a") ? r.message.replace(/:.*/, "") : "n/a";
  return r.status;
}

function checkCell(r) {
  const c = r.check;
  if (c === undefined) return r.status === "n/a" ? "" : "—";
  return c.ok ? `ok (${fmtErr(c.err)})` : `**FAILED** (${fmtErr(c.err)} > ${fmtErr(c.rtol)})`;
}

const notes = [];
function noteFor(r) {
  const parts = [];
  if (r.size !== undefined) parts.push(`measured at n = ${r.size.toLocaleString("en-US")} (the baseline too)`);
  if (r.note) parts.push(r.note);
  if (r.bytesPerOp !== undefined) parts.push(`${r.ops.toLocaleString("en-US")} ops recorded in ${fmtTime(r.recordMs)}`);
  if (r.firstCallMs !== undefined && (r.workload === "W8" || r.workload === "W9") && r.system !== "hand") {
    const jitted = r.system.startsWith("chainrule-jit");
    parts.push(
      `first call ${fmtTime(r.firstCallMs)}` +
        (jitted && timed(r) ? ` (trace + compile ≈ first call − median = ${fmtTime(Math.max(0, r.firstCallMs - r.medianMs))})` : ""),
    );
  }
  if (r.memory !== undefined && r.system !== "hand") {
    parts.push(`peak RSS grew by ${fmtBytes(r.memory.peakGrowthBytes)} during the first call (heap ${fmtBytes(r.memory.heapBefore)} → ${fmtBytes(r.memory.heapAfter)} after it)`);
  }
  if (r.status === "n/a" && r.message && !r.message.startsWith("n/a")) parts.push(r.message);
  if (["error", "timeout", "stack overflow", "out of memory"].includes(r.status) && r.message) parts.push(r.message);
  if (r.samples !== undefined && r.samples < 5) parts.push(`${r.samples} timed calls`);
  if (parts.length === 0) return "";
  notes.push(`${r.workload} ${SYSTEMS[r.system].label}: ${parts.join("; ")}`);
  return ` [${notes.length}]`;
}

const header = ["Workload", "System", "Median", "× hand", "Check (rel. err)", "Target", "Met", "Issue's earlier figure"];
const rows = [];
let lastW;
for (const r of results) {
  const t = targetOf(r);
  const wcell = r.workload === lastW ? "" : `${r.workload} ${WORKLOADS[r.workload].title}`;
  lastW = r.workload;
  rows.push([
    wcell,
    SYSTEMS[r.system].label + noteFor(r),
    medianCell(r),
    timed(r) ? `×${fmtNum(r.ratio)}` : "",
    checkCell(r),
    t.text,
    t.met,
    EARLIER[r.system]?.[r.workload] ?? "",
  ]);
}
const table = [
  `| ${header.join(" | ")} |`,
  `| ${header.map(() => "---").join(" | ")} |`,
  ...rows.map((r) => `| ${r.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ")} |`),
].join("\n");

// ---- the machine and the versions ------------------------------------------------------------------
function git(...a) {
  try {
    return execFileSync("git", a, { cwd: root, encoding: "utf8" }).trim();
  } catch {
    return "?";
  }
}
const pkgVersion = (p) => {
  try {
    return JSON.parse(readFileSync(join(here, "node_modules", p, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
};
const cpus = os.cpus();
const exportsInfo = await (async () => {
  try {
    const cr = await import(new URL("../dist/index.js", import.meta.url).href);
    return ["jit", "hessian", "jacfwd", "hvp"].map((k) => `${k} ${typeof cr[k] === "function" ? "yes" : "no"}`).join(", ");
  } catch (e) {
    return `could not import dist/index.js (${e.message})`;
  }
})();
const dirty = git("status", "--porcelain", "--", "src") === "" ? "" : " (src/ has uncommitted changes)";

const meta = [
  `- Date: ${new Date().toISOString()}`,
  `- Node: ${process.version} (${os.platform()} ${os.arch()})`,
  `- CPU: ${cpus[0]?.model ?? "?"} × ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB memory`,
  `- Load average at start / end: ${loadStart.map((x) => x.toFixed(1)).join(" ")} / ${loadEnd.map((x) => x.toFixed(1)).join(" ")}`,
  `- chainrule: commit ${git("rev-parse", "--short", "HEAD")} on branch ${git("rev-parse", "--abbrev-ref", "HEAD")}${dirty}; exports: ${exportsInfo}`,
  `- Peers: @tensorflow/tfjs ${pkgVersion("@tensorflow/tfjs")} (backend-cpu ${pkgVersion("@tensorflow/tfjs-backend-cpu")}), @jax-js/jax ${pkgVersion("@jax-js/jax")}`,
  `- Mode: ${quick ? "quick (--quick: shorter timing, smaller W6/W7)" : "full"}${filtered ? `, filtered (${argv.join(" ")})` : ""}; whole run ${(elapsedS / 60).toFixed(1)} min`,
];

const clockText = clock === "cpu" ? "the process's CPU time (process.cpuUsage)" : "wall-clock time";
const doc = `# chainrule benchmark results

Written by \`npm run bench\` (bench/run.mjs); see [README.md](README.md) for how to run and read it.

${meta.join("\n")}

> **The machine is shared and noisy.** It has 2 cores shared with other developers' builds and
> tests, so absolute medians can be several times slower than on a quiet machine and vary run to
> run. Ratios are steadier: each is taken against the hand-written code timed in the same
> process, in blocks around and between the system's. Re-run on a quiet machine for figures to quote.

Medians per full call (value and gradient; W5 the full Hessian), in ${clockText}; "× hand" is
the ratio to the hand-written baseline timed in the same process. Every system's result was
checked against the hand-written one before it was timed (relative error in the max norm;
tolerance 1e-12 for chainrule and the tape, 1e-6 for jax-js, 1e-3 for TensorFlow.js's float32;
on W6 at least 4·n·ε, ε being one operation's relative accuracy, since the error of an n-step
chain grows with n).

${table}

${notes.map((n, i) => `[${i + 1}] ${n}`).join("  \n")}

The peers' peculiarities (TensorFlow.js's wrong W5 Hessian, jax-js's exponential \`jit\` on deep
chains, the micrograd tape's bimodal times on W3/W4) are explained in [README.md](README.md).
`;

console.log("\n" + doc);
if (write) {
  writeFileSync(join(here, "RESULTS.md"), doc);
  writeFileSync(join(here, "results.json"), JSON.stringify({ meta, results }, null, 2) + "\n");
  console.error(`bench: wrote bench/RESULTS.md and bench/results.json (${(elapsedS / 60).toFixed(1)} min)`);
} else {
  console.error("bench: filtered run, RESULTS.md left as it was (pass --write to overwrite it)");
}
