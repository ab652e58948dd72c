/**
 * jit's misuse checks: the comparison of each new entry's first call with `f` itself (a branch
 * on a traced value that jit cannot see makes them differ), and the warning when a static
 * argument keeps taking new values, so that every call stages and compiles `f` again.
 */
import { JitMismatchError, TreeStructureError } from "../errors.js";
import type { Num } from "../core/num.js";
import { flattenAs, leafPaths, type TreeDef } from "../tree/tree.js";
import { sameStatic } from "./cache-key.js";

/** Equal up to rounding: 1e-9 relative plus a tiny absolute slack; NaN equals NaN; ±0 are equal. */
function close(a: number, b: number): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12;
}

const MISMATCH_CAUSE =
  "f branches on a traced value with ===, !==, ?:, if or a comparison that jit cannot see — under jit every non-static " +
  "argument is traced, so such a branch takes the same side for every input: use where/eq/lt, or mark data static with " +
  "staticArgnums. If f does none of this, the compiled code is wrong: that is a bug in chainrule, please report it with f " +
  "and these arguments. (jit checks the first call of each new argument structure against f; { verify: false } turns that off.)";

/** Throws JitMismatchError when `f`'s own output `eager` differs from the compiled output `compiled` (of structure `def`). */
export function checkAgainstEager(def: TreeDef, compiled: unknown, eager: unknown): void {
  let want: Num[];
  try {
    want = flattenAs(def, eager, "", "jit: output of f");
  } catch (err) {
    if (!(err instanceof TreeStructureError)) throw err;
    throw new JitMismatchError(
      `jit: the compiled function and f return differently shaped outputs (${err.message}). ${MISMATCH_CAUSE}`,
      err.path,
      undefined,
      undefined,
    );
  }
  const got = flattenAs(def, compiled, "", "jit: output");
  for (let k = 0; k < got.length; k++) {
    const a = got[k]!;
    const b = want[k]!;
    // A traced leaf from f (it closed over an enclosing transform's value) cannot be compared.
    if (typeof a !== "number" || typeof b !== "number" || close(a, b)) continue;
    const path = leafPaths(def)[k]!;
    throw new JitMismatchError(
      `jit: the compiled function and f disagree at ${path === "" ? "the output" : `output ${path}`}: compiled ${a}, f itself gives ${b}. ${MISMATCH_CAUSE}`,
      path,
      a,
      b,
    );
  }
}

/** The host's console: every JavaScript runtime has one, but the ES library types do not declare it. */
declare const console: { warn(message: string): void };

/** Changes of one static argument's value between stagings after which jit warns. */
const RETRACE_WARNING = 8;

/** Graphs staged by one jitted function, and how often each static argument's value changed between stagings. */
export class RetraceCounter {
  /** The static argument values of the previous staging. */
  private previous: readonly unknown[] | undefined;
  private readonly changes: number[];
  private count = 0;
  private warned = false;

  constructor(private readonly statics: readonly number[]) {
    this.changes = statics.map(() => 0);
  }

  /** Records one staging at `args`; warns once when a static argument keeps taking new values. */
  staged(args: readonly unknown[]): void {
    this.count++;
    const prev = this.previous;
    this.previous = this.statics.map((k) => args[k]);
    if (prev === undefined || this.warned) return;
    for (let j = 0; j < this.statics.length; j++) {
      const k = this.statics[j]!;
      if (sameStatic(prev[j], args[k])) continue;
      if (++this.changes[j]! < RETRACE_WARNING) continue;
      this.warned = true;
      console.warn(
        `chainrule: jit has staged and compiled this function ${this.count} times, because static argument ${k} ` +
          `(staticArgnums) keeps taking new values: every new value traces and compiles f again, which is slower than not using jit. ` +
          `If argument ${k} is data, trace it instead: type it Num, select with where/eq/lt, and remove ${k} from staticArgnums.`,
      );
      return;
    }
  }
}
