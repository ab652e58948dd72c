/**
 * The flat form of the loops: what the public functions (`index.ts`: trees, options, checks,
 * messages) hand to the implementation in `impl.ts`. Lists of `Num` leaves and functions over
 * them, already checked; the functions call the user's code and check what it returns
 * (structures), throwing the user-facing error themselves.
 */
import { ChainruleError } from "../errors.js";
import type { Num } from "../core/num.js";

/** What one step of a scan returns: the new carry's leaves and this step's output leaves. */
export interface FlatStep {
  readonly carry: Num[];
  readonly y: Num[];
}

/** A scan over flat leaves. */
export interface FlatScan {
  /**
   * One step: the carry's leaves and this step's element's leaves (empty when `xs` is null) →
   * the new carry and the step's output. It checks the user's output (the carry mirrors `init`,
   * every step's output has the structure of the first one traced) and throws on a mismatch.
   */
  readonly body: (carry: readonly Num[], x: readonly Num[]) => FlatStep;
  /** The initial carry's leaves. */
  readonly init: readonly Num[];
  /** `xs[i]` is the leaves of element `i` (all of one structure); null for `scan(…, null, { length })`. */
  readonly xs: readonly (readonly Num[])[] | null;
  /** The number of steps (`xs.length` when `xs` is given). */
  readonly length: number;
  /** Run from the last element to the first; `ys[i]` is still the output for `xs[i]`. */
  readonly reverse: boolean;
  /** Reverse mode keeps at most this many carries and recomputes the rest (revolve); undefined: every carry. */
  readonly snapshots: number | undefined;
}

/**
 * The result of a scan: the final carry's leaves, and the output leaves of every step, flat:
 * step `i`'s (in `xs` order) are `ys[i·n .. (i+1)·n)`, `n` the number of leaves of one output.
 */
export interface FlatScanResult {
  readonly carry: Num[];
  readonly ys: Num[];
}

/** A while loop over flat leaves. */
export interface FlatWhile {
  /** Nonzero (and not NaN): take another step. */
  readonly cond: (carry: readonly Num[]) => Num;
  /** One step; checks that the output mirrors `init`. */
  readonly body: (carry: readonly Num[]) => Num[];
  readonly init: readonly Num[];
  /** More steps than this is an error ({@link tooManySteps}); undefined: no limit. */
  readonly maxSteps: number | undefined;
}

/** A choice among branches over flat leaves (`cond` is the case of two, `[onFalse, onTrue]`). */
export interface FlatSwitch {
  /** The branch to run: an integer in `[0, branches.length)`, a number or a traced value. */
  readonly index: Num;
  /** Each checks that its output has the structure of the first branch traced. */
  readonly branches: readonly ((operands: readonly Num[]) => Num[])[];
  readonly operands: readonly Num[];
}

/** A function whose intermediates reverse mode recomputes instead of storing. */
export interface FlatCheckpoint {
  readonly f: (inputs: readonly Num[]) => Num[];
  readonly inputs: readonly Num[];
}

/** What an implementation of the loops provides. */
export interface LoopImpl {
  scan(spec: FlatScan): FlatScanResult;
  whileLoop(spec: FlatWhile): Num[];
  switchCase(spec: FlatSwitch): Num[];
  checkpoint(spec: FlatCheckpoint): Num[];
}

/** The error when a while loop wants more than `maxSteps` steps. */
export function tooManySteps(maxSteps: number): ChainruleError {
  return new ChainruleError(
    `whileLoop: the condition still holds after maxSteps = ${maxSteps} steps; raise maxSteps if the loop needs more, or check that the condition becomes 0`,
  );
}
