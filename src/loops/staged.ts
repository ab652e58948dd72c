/**
 * The loop engine behind the public functions (`index.ts`), over the flat form of `spec.ts`:
 * each loop stages its bodies once into sub-graphs (`subgraph.ts`) and applies its primitive
 * (`scan.ts`, `control.ts`) to the flat leaves, so every transform sees one equation.
 */
import type { Num } from "../core/num.js";
import { bindMulti } from "../core/trace.js";
import { COND, CondParams, REMAT, RematParams, WHILE, WhileParams } from "./control.js";
import { SCAN, ScanParams } from "./scan.js";
import type { FlatCheckpoint, FlatScan, FlatScanResult, FlatSwitch, FlatWhile, LoopImpl } from "./spec.js";
import { closeOver, stageBody } from "./subgraph.js";

/** `count` input names `name[0]`, `name[1]`, … (for printed bodies). */
function names(name: string, count: number): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = `${name}[${i}]`;
  return out;
}

function scan(s: FlatScan): FlatScanResult {
  const nK = s.init.length;
  const T = s.length;
  // No step: init unchanged and no outputs (an empty xs gives no element structure to trace with).
  if (T === 0) return { carry: s.init.slice(), ys: [] };
  const xs = s.xs;
  const nX = xs === null ? 0 : xs[0]!.length;
  let nY = 0;
  const captured: Num[] = [];
  const g = stageBody(
    (ins) => {
      const r = s.body(ins.slice(1, 1 + nK), ins.slice(1 + nK));
      nY = r.y.length;
      return [...r.carry, ...r.y];
    },
    ["i", ...names("carry", nK), ...names("x", nX)],
    "scan",
    captured,
  );
  const P = new ScanParams(closeOver(g, captured, "scan"), captured.length, nK, nX, nY, T, s.reverse, s.snapshots, "scan");
  const operands: Num[] = [...captured, ...s.init];
  if (xs !== null) for (let t = 0; t < T; t++) for (let j = 0; j < nX; j++) operands.push(xs[t]![j]!);
  const outs = bindMulti(SCAN, operands, P);
  return { carry: outs.slice(0, nK), ys: outs.slice(nK) };
}

function whileLoop(w: FlatWhile): Num[] {
  const nK = w.init.length;
  const captured: Num[] = [];
  const paths = names("carry", nK);
  const gc = stageBody((ins) => [w.cond(ins)], paths, "whileLoop", captured);
  const gb = stageBody((ins) => w.body(ins), paths, "whileLoop", captured);
  const P = new WhileParams(closeOver(gc, captured, "whileLoop"), closeOver(gb, captured, "whileLoop"), captured.length, nK, w.maxSteps, "whileLoop");
  return bindMulti(WHILE, [...captured, ...w.init], P);
}

function switchCase(s: FlatSwitch): Num[] {
  let nOut = 0;
  const captured: Num[] = [];
  const paths = names("operands", s.operands.length);
  const graphs = s.branches.map((b) =>
    stageBody(
      (ins) => {
        const out = b(ins);
        nOut = out.length;
        return out;
      },
      paths,
      "cond",
      captured,
    ),
  );
  const P = new CondParams(
    graphs.map((g) => closeOver(g, captured, "cond")),
    captured.length,
    s.operands.length,
    nOut,
    "cond",
  );
  return bindMulti(COND, [s.index, ...captured, ...s.operands], P);
}

function checkpoint(c: FlatCheckpoint): Num[] {
  let nOut = 0;
  const captured: Num[] = [];
  const g = stageBody(
    (ins) => {
      const out = c.f(ins);
      nOut = out.length;
      return out;
    },
    names("args", c.inputs.length),
    "checkpoint",
    captured,
  );
  const P = new RematParams(closeOver(g, captured, "checkpoint"), captured.length + c.inputs.length, nOut, "checkpoint");
  return bindMulti(REMAT, [...captured, ...c.inputs], P);
}

/** The loop engine. */
export const staged: LoopImpl = { scan, whileLoop, switchCase, checkpoint };
