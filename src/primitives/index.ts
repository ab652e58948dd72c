/**
 * The one list of chainrule's public primitive functions. Everything that must know every
 * primitive derives from it: the command line's allow-list (`cli/expr.ts`) and the tests' tables
 * (derivative checks, jit, fuzz, bad input), each of which fails when a listed primitive has no
 * test data. Adding a primitive: its block in one of the files here, its export from
 * `src/index.ts`, and its entry below.
 */
import type { Num } from "../core/num.js";
import { abs, add, cbrt, div, hypot, mul, neg, pow, reciprocal, sign, sqrt, square, sub } from "./arithmetic.js";
import { exp, expm1, log, log10, log1p, log2 } from "./exponential.js";
import { logit, logSigmoid, relu, sigmoid, softplus } from "./neural.js";
import { dot, logSumExp, mean, softmax, sum } from "./reductions.js";
import { ceil, floor, round, stopGradient } from "./rounding.js";
import { eq, ge, gt, le, lt, max, min, where } from "./select.js";
import { digamma, erf, erfc, lgamma, logNormCdf, normCdf } from "./special.js";
import { acos, asin, atan, atan2, cos, cosh, sin, sinh, tan, tanh } from "./trig.js";

/**
 * One public primitive function: the name it is exported under, how many `Num` operands it
 * takes (1, 2 or 3), or `"n"` for the ones over arrays, with `arrays` the number of arrays
 * (`dot` takes two).
 */
export type PrimitiveEntry =
  | { readonly name: string; readonly arity: 1; readonly fn: (x: Num) => Num }
  | { readonly name: string; readonly arity: 2; readonly fn: (x: Num, y: Num) => Num }
  | { readonly name: string; readonly arity: 3; readonly fn: (a: Num, b: Num, c: Num) => Num }
  | { readonly name: string; readonly arity: "n"; readonly arrays: 1 | 2; readonly fn: (...arrays: (readonly Num[])[]) => Num | Num[] };

/** Every public primitive function, by family (the order `chainrule explain --help` lists them in). Internal. */
export const PRIMITIVES: readonly PrimitiveEntry[] = Object.freeze([
  // arithmetic
  { name: "add", arity: 2, fn: add },
  { name: "sub", arity: 2, fn: sub },
  { name: "mul", arity: 2, fn: mul },
  { name: "div", arity: 2, fn: div },
  { name: "neg", arity: 1, fn: neg },
  { name: "pow", arity: 2, fn: pow },
  { name: "square", arity: 1, fn: square },
  { name: "sqrt", arity: 1, fn: sqrt },
  { name: "reciprocal", arity: 1, fn: reciprocal },
  { name: "abs", arity: 1, fn: abs },
  { name: "sign", arity: 1, fn: sign },
  { name: "cbrt", arity: 1, fn: cbrt },
  { name: "hypot", arity: 2, fn: hypot },
  // exponential
  { name: "exp", arity: 1, fn: exp },
  { name: "expm1", arity: 1, fn: expm1 },
  { name: "log", arity: 1, fn: log },
  { name: "log1p", arity: 1, fn: log1p },
  { name: "log2", arity: 1, fn: log2 },
  { name: "log10", arity: 1, fn: log10 },
  // trigonometric and hyperbolic
  { name: "sin", arity: 1, fn: sin },
  { name: "cos", arity: 1, fn: cos },
  { name: "tan", arity: 1, fn: tan },
  { name: "asin", arity: 1, fn: asin },
  { name: "acos", arity: 1, fn: acos },
  { name: "atan", arity: 1, fn: atan },
  { name: "atan2", arity: 2, fn: atan2 },
  { name: "sinh", arity: 1, fn: sinh },
  { name: "cosh", arity: 1, fn: cosh },
  { name: "tanh", arity: 1, fn: tanh },
  // neural networks
  { name: "sigmoid", arity: 1, fn: sigmoid },
  { name: "relu", arity: 1, fn: relu },
  { name: "softplus", arity: 1, fn: softplus },
  { name: "logSigmoid", arity: 1, fn: logSigmoid },
  { name: "logit", arity: 1, fn: logit },
  // comparison and selection
  { name: "lt", arity: 2, fn: lt },
  { name: "le", arity: 2, fn: le },
  { name: "gt", arity: 2, fn: gt },
  { name: "ge", arity: 2, fn: ge },
  { name: "eq", arity: 2, fn: eq },
  { name: "max", arity: 2, fn: max },
  { name: "min", arity: 2, fn: min },
  { name: "where", arity: 3, fn: where },
  // rounding
  { name: "floor", arity: 1, fn: floor },
  { name: "ceil", arity: 1, fn: ceil },
  { name: "round", arity: 1, fn: round },
  { name: "stopGradient", arity: 1, fn: stopGradient },
  // special functions
  { name: "erf", arity: 1, fn: erf },
  { name: "erfc", arity: 1, fn: erfc },
  { name: "normCdf", arity: 1, fn: normCdf },
  { name: "logNormCdf", arity: 1, fn: logNormCdf },
  { name: "lgamma", arity: 1, fn: lgamma },
  { name: "digamma", arity: 1, fn: digamma },
  // over arrays
  { name: "sum", arity: "n", arrays: 1, fn: sum },
  { name: "mean", arity: "n", arrays: 1, fn: mean },
  { name: "dot", arity: "n", arrays: 2, fn: dot },
  { name: "logSumExp", arity: "n", arrays: 1, fn: logSumExp },
  { name: "softmax", arity: "n", arrays: 1, fn: softmax },
] satisfies PrimitiveEntry[]);
