/**
 * The loops on trees: each flattens its trees, stages its bodies once into sub-graphs, applies
 * its primitive (`scan.ts`, `control.ts`) to the flat leaves and rebuilds the trees. The public
 * functions (`index.ts`) check their arguments and options and call these.
 */
import { ChainruleError, TreeStructureError } from "../errors.js";
import { describeValue, isTracer, type Num } from "../core/num.js";
import { bindMulti, flattenAsLive, flattenLive } from "../core/trace.js";
import { add } from "../primitives/arithmetic.js";
import { flatten, isArrayValue, leafPaths, showPath, unflatten, type TreeDef } from "../tree/tree.js";
import { SCAN, ScanParams } from "./scan.js";
import { COND, CondParams, REMAT, RematParams, WHILE, WhileParams } from "./control.js";
import { closeOver, stageBody } from "./subgraph.js";

/** The checked options of a scan. */
export interface ScanSettings {
  readonly length: number;
  readonly reverse: boolean;
  /** `checkpoint: { snapshots }`; undefined stores every carry. */
  readonly snapshots: number | undefined;
}

/** A body's carry output, checked against init's structure (the error names the path). */
function carryLeaves(def: TreeDef, out: unknown, name: string, what: string): Num[] {
  try {
    return flattenAsLive(def, out, "carry", `${name}: the ${what} carry output (it must have init's structure)`);
  } catch (e) {
    if (e instanceof TreeStructureError) {
      throw new TreeStructureError(
        `${name}: the ${what} carry output does not match init${e.path === "" ? "" : ` at ${showPath(e.path)}`}: ${e.message}`,
        e.path,
      );
    }
    throw e;
  }
}

/** Splits a body's `[carry, y]` result. */
function pairOf(out: unknown, name: string): [unknown, unknown] {
  if (!isArrayValue(out) || out.length !== 2) {
    throw new ChainruleError(`${name}: the body must return a pair [carry, y] (write \`return [carry, y] as const\`), got ${describeValue(out)}`);
  }
  return [out[0], out[1]];
}

/**
 * `scan` on trees, with the element index available to the body (`foriLoop` uses it): stages
 * `body(i, carry, x)` once and applies the scan primitive.
 */
export function scanTrees(
  body: (i: Num, carry: unknown, x: unknown) => unknown,
  init: unknown,
  xs: readonly unknown[] | null,
  settings: ScanSettings,
  name: string,
): [unknown, unknown[]] {
  const { leaves: initLeaves, def: carryDef } = flattenLive(init, "init", `${name}: init`);
  const T = settings.length;
  let xDef: TreeDef | undefined;
  const xLeaves: Num[] = [];
  if (xs !== null) {
    for (let t = 0; t < T; t++) {
      const r = t === 0 ? flattenLive(xs[0], "xs[0]", `${name}: xs`) : undefined;
      if (r !== undefined) xDef = r.def;
      const leaves = r?.leaves ?? flattenAsLive(xDef!, xs[t], `xs[${t}]`, `${name}: every element of xs must have the structure of xs[0]`);
      for (let j = 0; j < leaves.length; j++) xLeaves.push(leaves[j]!);
    }
  }
  const nK = carryDef.numLeaves;
  const nX = xDef?.numLeaves ?? 0;
  let yDef: TreeDef | undefined;
  const captured: Num[] = [];
  const paths = ["i", ...leafPaths(carryDef, "carry"), ...(xDef === undefined ? [] : leafPaths(xDef, "x"))];
  const g = stageBody(
    (ins) => {
      const carry = unflatten(carryDef, ins.slice(1, 1 + nK));
      const x = xDef === undefined ? undefined : unflatten(xDef, ins.slice(1 + nK));
      const [cOut, y] = pairOf(body(ins[0]!, carry, x), name);
      const k = carryLeaves(carryDef, cOut, name, "body's");
      const yr = flattenLive(y, "y", `${name}: the body's y output`);
      yDef = yr.def;
      return [...k, ...yr.leaves];
    },
    paths,
    name,
    captured,
  );
  const P = new ScanParams(closeOver(g, captured, name), captured.length, nK, nX, yDef!.numLeaves, T, settings.reverse, settings.snapshots, name);
  const outs = bindMulti(SCAN, [...captured, ...initLeaves, ...xLeaves], P);
  return [unflatten(carryDef, outs.slice(0, nK)), ysOf(yDef!, outs, nK, T)];
}

/** The ys of a scan from its flat outputs (from `base`): one tree per step, built cheaply for the common shapes. */
function ysOf(yDef: TreeDef, outs: readonly Num[], base: number, T: number): unknown[] {
  const nY = yDef.numLeaves;
  const ys = new Array<unknown>(T);
  if (yDef.kind === "leaf") {
    for (let t = 0; t < T; t++) ys[t] = outs[base + t];
  } else if (yDef.kind === "array" && yDef.children.length === 0) {
    for (let t = 0; t < T; t++) ys[t] = [];
  } else if (yDef.leafArray) {
    for (let t = 0; t < T; t++) {
      const y = new Array<Num>(nY);
      for (let j = 0; j < nY; j++) y[j] = outs[base + t * nY + j]!;
      ys[t] = y;
    }
  } else {
    for (let t = 0; t < T; t++) ys[t] = unflatten(yDef, outs.slice(base + t * nY, base + (t + 1) * nY));
  }
  return ys;
}

/** `foriLoop` on trees: a scan without xs whose body gets `lower + k` at step k. */
export function foriTrees(lower: number, upper: number, body: (i: Num, carry: unknown) => unknown, init: unknown): unknown {
  const length = Math.max(0, upper - lower);
  const [carry] = scanTrees((k, c) => [body(lower === 0 ? k : add(k, lower), c), []], init, null, { length, reverse: false, snapshots: undefined }, "foriLoop");
  return carry;
}

/** `whileLoop` on trees. */
export function whileTrees(condFn: (carry: unknown) => unknown, body: (carry: unknown) => unknown, init: unknown, maxSteps: number | undefined): unknown {
  const name = "whileLoop";
  const { leaves: initLeaves, def: carryDef } = flattenLive(init, "init", `${name}: init`);
  const nK = carryDef.numLeaves;
  const captured: Num[] = [];
  const paths = leafPaths(carryDef, "carry");
  const gc = stageBody(
    (ins) => {
      const p = condFn(unflatten(carryDef, ins));
      if (typeof p !== "number" && !isTracer(p)) {
        throw new ChainruleError(`${name}: the condition must return a Num (nonzero to go on), got ${describeValue(p)}`);
      }
      return [p];
    },
    paths,
    name,
    captured,
  );
  const gb = stageBody((ins) => carryLeaves(carryDef, body(unflatten(carryDef, ins)), name, "body's"), paths, name, captured);
  const P = new WhileParams(closeOver(gc, captured, name), closeOver(gb, captured, name), captured.length, nK, maxSteps, name);
  return unflatten(carryDef, bindMulti(WHILE, [...captured, ...initLeaves], P));
}

/** `cond`/`switchCase` on trees: branch `index` (rounded toward zero, clamped) of `branches` at `operands`. */
export function condTrees(index: Num, branches: readonly ((...ops: unknown[]) => unknown)[], operands: readonly unknown[], name: string): unknown {
  const { leaves: opLeaves, def: opsDef } = flattenLive(operands as unknown[], "operands", `${name}: operands`);
  let outDef: TreeDef | undefined;
  const captured: Num[] = [];
  const paths = leafPaths(opsDef, "operands");
  const graphs = branches.map((b, k) =>
    stageBody(
      (ins) => {
        const out = b(...(unflatten(opsDef, ins) as unknown[]));
        if (outDef === undefined) {
          const r = flattenLive(out, "", `${name}: branch ${k}'s output`);
          outDef = r.def;
          return r.leaves;
        }
        try {
          return flattenAsLive(outDef, out, "", `${name}: branch ${k}'s output`);
        } catch (e) {
          if (e instanceof TreeStructureError) {
            throw new TreeStructureError(
              `${name}: every branch must return a tree of one structure, but branch ${k}'s output differs from branch 0's` +
                `${e.path === "" ? "" : ` at ${showPath(e.path)}`} (branch 0 returns ${String(outDef)}): ${e.message}`,
              e.path,
            );
          }
          throw e;
        }
      },
      paths,
      name,
      captured,
    ),
  );
  const P = new CondParams(
    graphs.map((g) => closeOver(g, captured, name)),
    captured.length,
    opLeaves.length,
    outDef!.numLeaves,
    name,
  );
  return unflatten(outDef!, bindMulti(COND, [index, ...captured, ...opLeaves], P));
}

/** `checkpoint(f)` applied to `args`. */
export function checkpointCall(f: (...args: unknown[]) => unknown, args: readonly unknown[]): unknown {
  const name = "checkpoint";
  const { leaves, def } = flattenLive(args as unknown[], "args", `${name}: argument`);
  let outDef: TreeDef | undefined;
  const captured: Num[] = [];
  const g = stageBody(
    (ins) => {
      const r = flattenLive(f(...(unflatten(def, ins) as unknown[])), "", `${name}: output`);
      outDef = r.def;
      return r.leaves;
    },
    leafPaths(def, "args"),
    name,
    captured,
  );
  const P = new RematParams(closeOver(g, captured, name), captured.length + leaves.length, outDef!.numLeaves, name);
  return unflatten(outDef!, bindMulti(REMAT, [...captured, ...leaves], P));
}

/** Flattens for messages only (re-exported for index.ts's checks). */
export { flatten };
