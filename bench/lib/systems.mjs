// The systems compared, in table order, with the precision each is checked to: `rtol` is the
// relative tolerance of the check, `eps` the relative accuracy of one operation (for W6/W7,
// whose error grows with the chain's length; see tolerance()).
// `module` paths are relative to bench/ (case.mjs imports them). `na` gives, per workload, why a
// system is not measured there (its row says so; the module is not even loaded).

/** Systems without a loop primitive build the graph of every step of W8/W9 on each call. */
const UNROLLS = { W8: "n/a — unrolls loops", W9: "n/a — unrolls loops" };

export const SYSTEMS = {
  hand: { label: "hand-written JS", rtol: 0, eps: 0, module: null },
  tape: { label: "micrograd tape (recursive sort)", rtol: 1e-12, eps: 2 ** -53, module: "./systems/tape.mjs", opts: { iterative: false }, na: UNROLLS },
  "tape-iter": {
    label: "micrograd tape (iterative sort)",
    rtol: 1e-12,
    eps: 2 ** -53,
    module: "./systems/tape.mjs",
    opts: { iterative: true },
    workloads: ["W6", "W7"],
  },
  tfjs: { label: "TensorFlow.js cpu (f32)", rtol: 1e-3, eps: 2 ** -24, module: "./systems/tfjs.mjs", na: UNROLLS },
  "jax-js": { label: "@jax-js/jax jit (wasm, f64)", rtol: 1e-6, eps: 1e-7, module: "./systems/jaxjs.mjs", na: UNROLLS },
  "chainrule-eager": { label: "chainrule eager", rtol: 1e-12, eps: 2 ** -53, module: "./systems/chainrule.mjs", opts: { jitted: false } },
  "chainrule-jit": { label: "chainrule jit", rtol: 1e-12, eps: 2 ** -53, module: "./systems/chainrule.mjs", opts: { jitted: true } },
  "chainrule-jit-snap32": {
    label: "chainrule jit, snapshots: 32",
    rtol: 1e-12,
    eps: 2 ** -53,
    module: "./systems/chainrule.mjs",
    opts: { jitted: true, snapshots: 32 },
    workloads: ["W8"],
  },
};

/** Systems measured on W7 (memory of an eager tape). */
export const MEMORY_SYSTEMS = ["tape-iter", "chainrule-eager"];

export const WORKLOAD_IDS = ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9"];

/** Workloads whose first call (trace + compile for jit) and peak memory the table reports. */
export const LOOP_WORKLOADS = ["W8", "W9"];

export function applies(system, workload) {
  if (workload === "W7") return MEMORY_SYSTEMS.includes(system);
  const w = SYSTEMS[system].workloads;
  return w === undefined || w.includes(workload);
}

/**
 * A smaller problem size for the few cases whose single call takes many seconds; the row says
 * so, and the hand-written baseline is measured at the same size.
 */
export function sizeFor(system, workload, quick) {
  if (workload === "W6" && system === "tfjs") return quick ? 2_000 : 10_000;
  if (workload === "W6" && quick) return 20_000;
  if (workload === "W7" && quick) return 200_000;
  // binomial checkpointing is measured ten times longer than W8's other rows: 10⁷ steps
  if (workload === "W8" && system === "chainrule-jit-snap32") return quick ? 1_000_000 : 10_000_000;
  if (workload === "W8" && quick) return 100_000;
  return undefined;
}

/**
 * The check's relative tolerance for a system on a workload. W6's derivative is a product of
 * n factors (and its value n steps of a map), so rounding alone moves them by ~n·eps: the
 * tolerance is max(rtol, 4·n·eps) there (W7 and W8 check the same chain, W9 n RK4 steps).
 * Elsewhere it is rtol.
 */
export function tolerance(system, workload, data) {
  const { rtol, eps } = SYSTEMS[system];
  const steps = workload === "W6" || workload === "W8" ? data.n : workload === "W7" ? data.ops / 4 : workload === "W9" ? data.steps : 0;
  return Math.max(rtol, 4 * steps * eps);
}
