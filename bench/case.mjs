// One measured (system, workload) pair in its own process:
//   node --expose-gc bench/case.mjs <system> <workload> [--quick] [--size N]
// Checks the system's value and gradient against the hand-written one, warms both up, then
// times them alternately and prints one line "RESULT {json}".
import { performance } from "node:perf_hooks";
import { compare, setClock, timePair, warmUp } from "./lib/measure.mjs";
import { LOOP_WORKLOADS, SYSTEMS, applies, sizeFor, tolerance } from "./lib/systems.mjs";
import { handCall, handW6, makeData, WORKLOADS } from "./lib/workloads.mjs";

const argv = process.argv.slice(2);
const [system, workload] = argv;
const quick = argv.includes("--quick");
const sizeArg = argv.indexOf("--size");
const clockArg = argv.indexOf("--clock");
if (clockArg >= 0) setClock(argv[clockArg + 1]);

const result = { system, workload, quick, clock: clockArg >= 0 ? argv[clockArg + 1] : "cpu" };
const emit = (extra) => {
  console.log("RESULT " + JSON.stringify({ ...result, ...extra }));
};

const isStackOverflow = (e) => e instanceof RangeError && /call stack/i.test(e.message);
const failure = (e, where) =>
  isStackOverflow(e)
    ? { status: "stack overflow", message: `${where}: ${e.message}` }
    : { status: "error", message: `${where}: ${e?.stack?.split("\n").slice(0, 3).join(" | ") ?? String(e)}` };

async function main() {
  if (!(system in SYSTEMS) || !(workload in WORKLOADS)) {
    throw new Error(`usage: case.mjs <${Object.keys(SYSTEMS).join("|")}> <${Object.keys(WORKLOADS).join("|")}>`);
  }
  if (!applies(system, workload)) return emit({ status: "n/a", message: "not measured for this system" });
  const spec = SYSTEMS[system];
  if (spec.na?.[workload] !== undefined) return emit({ status: "n/a", message: spec.na[workload] });
  const size = sizeArg >= 0 ? Number(argv[sizeArg + 1]) : sizeFor(system, workload, quick);
  result.size = size;
  const data = makeData(workload, size);

  let mod;
  if (spec.module !== null) {
    mod = await import(spec.module);
    if (mod.init) result.info = await mod.init();
  }
  result.node = process.version;

  if (workload === "W7") return memoryCase(mod, data);

  const base = handCall(workload, data);
  let sys;
  if (spec.module === null) sys = { call: base, read: (r) => r };
  else {
    try {
      sys = await mod.setup(workload, data, spec.opts ?? {});
    } catch (e) {
      return emit(failure(e, "setup"));
    }
  }
  if (sys.na) return emit({ status: "n/a", message: sys.na });
  result.note = sys.note;
  const read = sys.read ?? ((r) => r);

  // Check before timing (the first call is also the first warm-up call).
  let check;
  let firstMs;
  // The loop workloads report the memory of the first call: heap after forced GCs before and
  // after it (what stays alive), and the growth of the peak RSS during it (what it needed).
  const loop = LOOP_WORKLOADS.includes(workload) && typeof globalThis.gc === "function";
  const heapNow = () => {
    for (let i = 0; i < 4; i++) globalThis.gc();
    return process.memoryUsage().heapUsed;
  };
  const heapBefore = loop ? heapNow() : undefined;
  const rssBefore = process.memoryUsage().rss;
  try {
    const t0 = performance.now();
    const r = sys.call();
    firstMs = performance.now() - t0;
    if (loop) {
      const peakRss = process.resourceUsage().maxRSS * 1024;
      result.memory = { rssBefore, peakRss, peakGrowthBytes: Math.max(0, peakRss - rssBefore), heapBefore, heapAfter: heapNow() };
    }
    check = compare(base(), read(r), tolerance(system, workload, data));
  } catch (e) {
    return emit(failure(e, "first call"));
  }
  result.check = check;
  result.firstCallMs = firstMs;

  // Warm-up: the baseline for warmMs of CPU time; the system for sysWarmMs and at least 10 calls
  // (code that deoptimises and reoptimises, like the tape's per-call closures, needs several
  // calls to settle), except that a call slower than 2 s is taken as warm after the check call
  // and one slower than 0.2 s gets 3 calls.
  const warmMs = quick ? 100 : 300;
  const sysWarmMs = quick ? 200 : 1000;
  const budgetMs = quick ? 400 : 3000;
  try {
    const perCallBase = warmUp(base, warmMs);
    const perCallSys = firstMs > 2000 ? firstMs : warmUp(sys.call, sysWarmMs, firstMs > 200 ? 3 : 10);
    const t = timePair(spec.module === null ? undefined : sys.call, base, { budgetMs, perCallSys, perCallBase, rounds: quick ? 1 : 3 });
    const sysT = t.sys ?? t.base; // the hand-written row times itself
    emit({
      status: check.ok ? "ok" : "check failed",
      medianMs: sysT.medianMs,
      cpuMedianMs: sysT.cpuMedianMs,
      wallMedianMs: sysT.wallMedianMs,
      samples: sysT.samples,
      callsPerSample: sysT.callsPerSample,
      baseMedianMs: t.base.medianMs,
      baseWallMedianMs: t.base.wallMedianMs,
      ratio: sysT.medianMs / t.base.medianMs,
    });
  } catch (e) {
    emit(failure(e, "timing"));
  }
}

/** W7: bytes per recorded operation of an eager tape, and the process's peak RSS. */
async function memoryCase(mod, data) {
  if (typeof globalThis.gc !== "function") throw new Error("W7 needs node --expose-gc");
  const heap = () => {
    for (let i = 0; i < 4; i++) globalThis.gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.external; // typed-array storage counts under external
  };
  const before = heap();
  const t0 = performance.now();
  let rec;
  try {
    rec = mod.record(data.x0, data.ops);
  } catch (e) {
    return emit(failure(e, "recording"));
  }
  const recordMs = performance.now() - t0;
  const after = heap();
  const steps = Math.round(data.ops / rec.opsPerStep);
  const ops = steps * rec.opsPerStep;
  // The tape is real: run the backward pass and check the derivative (not part of the bytes).
  let got;
  try {
    if (rec.pullback) got = { value: rec.out, grad: rec.pullback(1) };
    else {
      rec.root.backwardIterative();
      got = { value: rec.root.data, grad: [rec.input.grad] };
    }
  } catch (e) {
    return emit(failure(e, "backward"));
  }
  const check = compare(handW6(data.x0, steps), got, tolerance(system, "W7", data));
  emit({
    status: check.ok ? "ok" : "check failed",
    check,
    ops,
    bytesPerOp: (after - before) / ops,
    recordMs,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  });
}

main().catch((e) => {
  emit(failure(e, "case"));
  process.exitCode = 1;
});
