/**
 * chainrule — automatic differentiation for TypeScript in the style of JAX.
 *
 * Write pure functions over the traced scalar {@link Num}; transforms such as {@link grad},
 * {@link vjp} and {@link jvp} turn them into functions that compute derivatives.
 *
 * @packageDocumentation
 * @module chainrule
 */

// Values
export { Tracer, toNumber, type Num } from "./core/num.js";

// Errors
export {
  ChainruleError,
  ConcretizationError,
  GradientCheckError,
  JitMismatchError,
  NonFiniteError,
  NonScalarOutputError,
  TracerLeakError,
  TreeDecodeError,
  TreeStructureError,
  type GradientCheckEntry,
  type TreeDecodeProblem,
} from "./errors.js";

// Primitives
export { abs, add, div, mul, neg, pow, reciprocal, sign, sqrt, square, sub } from "./primitives/arithmetic.js";
export { exp, expm1, log, log1p } from "./primitives/exponential.js";
export { acos, asin, atan, atan2, cos, cosh, sin, sinh, tan, tanh } from "./primitives/trig.js";
export { relu, sigmoid, softplus } from "./primitives/neural.js";
export { eq, ge, gt, le, lt, max, min, where } from "./primitives/select.js";
export { ceil, floor, round, stopGradient } from "./primitives/rounding.js";
export { dot, logSumExp, mean, softmax, sum } from "./primitives/reductions.js";
export { cbrt, hypot } from "./primitives/arithmetic.js";
export { log10, log2 } from "./primitives/exponential.js";
export { logit, logSigmoid } from "./primitives/neural.js";
export { digamma, erf, erfc, lgamma, logNormCdf, normCdf } from "./primitives/special.js";
export { definePrimitive, type PrimitiveSpec } from "./core/primitive.js";

// Transforms
export { grad, valueAndGrad, type AnyResult, type Argnums, type ArgnumsChecked, type GradOf, type GradOptions, type OutputChecked, type OutputProblem } from "./transforms/grad.js";
export { vjp, type Pullback } from "./transforms/vjp.js";
export { jvp } from "./transforms/jvp.js";
export { hessian, hvp, jacfwd, jacrev, type Jacobian } from "./transforms/jacobian.js";
export {
  customJvp,
  customVjp,
  type Cotangents,
  type CustomJvpRules,
  type CustomVjpRules,
} from "./transforms/custom.js";
export { debugNans } from "./transforms/debug-nans.js";
export { checkGrads, type CheckGradsOptions, type GradMode } from "./transforms/check-grads.js";
export { jit, type JitChecked, type JitErrors, type JitOptions, type JitParamError, type Jitted, type Lowered, type NumberLeafPath, type NumberLeafPathIn } from "./transforms/jit.js";

// Graphs
export { Graph, type Equation } from "./core/graph.js";
export type { DotOptions } from "./core/print.js";
export { explain, makeGraph, type MakeGraphOptions } from "./transforms/make-graph.js";

// Trees
export { TreeDef } from "./tree/tree.js";
export type { Aux, Primal, Tangent, Tangents } from "./tree/types.js";
export { treeLeaves, treeMap, treeStructure, type LeafOf, type ReplaceLeaves } from "./tree/ops.js";

// ---- Parameters in and out, fp-ts interop, optimizers ----
export { decodeTree, treeCodec, type TreeCodecOptions, type TreeTemplate } from "./tree/codec.js";
export { tryCatchChainrule } from "./fp.js";
export {
  applyUpdates,
  type LearningRate,
  type Optimizer,
  type OptimizerState,
  type OptimizerStateKind,
  type Schedule,
} from "./optim/optimizer.js";
export { sgd, type SgdState, type SgdStateKind } from "./optim/sgd.js";
export { momentum, type MomentumState, type MomentumStateKind } from "./optim/momentum.js";
export { adam, type AdamOptions, type AdamState, type AdamStateKind } from "./optim/adam.js";

// Loops
export { checkpoint, cond, foriLoop, scan, switchCase, whileLoop, type CarryOut, type ScanOptions, type WhileOptions } from "./loops/index.js";
