import { expectAssignable, expectError, expectType } from "tsd";
import {
  adam,
  applyUpdates,
  grad,
  momentum,
  sgd,
  add,
  dot,
  type AdamState,
  type AdamStateKind,
  type MomentumState,
  type Num,
  type Optimizer,
  type OptimizerState,
  type OptimizerStateKind,
  type SgdState,
} from "chainrule";

type Params = { w: number[]; b: number };
const params: Params = { w: [1, 2], b: 0 };
const loss = (p: { w: Num[]; b: Num }, x: number[]) => add(dot(p.w, x), p.b);
const grads = grad(loss)(params, [3, 4]);

// Factories give typed optimizers.
expectType<Optimizer<AdamStateKind>>(adam(1e-3));
expectAssignable<Optimizer<OptimizerStateKind>>(sgd(0.1));
expectAssignable<Optimizer<OptimizerStateKind>>(momentum(0.1, 0.9));

// The state's trees have the parameters' type.
const opt = adam(1e-3, { b1: 0.9, b2: 0.999, eps: 1e-8 });
const state = opt.init(params);
expectType<AdamState<Params>>(state);
expectType<Params>(state.mu);
expectType<number>(state.count);
expectType<MomentumState<Params>>(momentum(0.1).init(params));
expectType<SgdState>(sgd(0.1).init(params));
expectType<{ readonly count: number; readonly mu: Params; readonly nu: Params }>(null as unknown as OptimizerState<AdamStateKind, Params>);

// params, grads and updates share one tree type.
const [updates, next] = opt.update(grads, state, params);
expectType<Params>(updates);
expectType<AdamState<Params>>(next);
expectType<Params>(applyUpdates(params, updates));
expectType<number>(applyUpdates(2, 0.5));
expectType<number>(applyUpdates(sgd(0.1).update(1, sgd(0.1).init(0))[0], 1));

// Mismatched trees are compile errors.
expectError(applyUpdates(params, { w: [1, 2] }));
expectError(applyUpdates(params, { w: ["1"], b: 0 }));
expectError(opt.update(grads, momentum(0.1).init(params)));
expectError(opt.update(grads, opt.init({ v: [1] })));
expectError(opt.update(grads, state, { w: [1] }));

// Learning rates: numbers or schedules of the count.
sgd((count: number) => 0.1 / (1 + count));
adam((count) => 1e-3 * Math.min(1, (count + 1) / 100));
expectError(sgd("0.1"));
expectError(adam(1e-3, { b3: 0.5 }));

// A function generic over any optimizer.
function step<K extends OptimizerStateKind, P>(o: Optimizer<K>, p: P, g: P, s: OptimizerState<K, P>): [P, OptimizerState<K, P>] {
  const [u, s2] = o.update(g, s, p);
  return [applyUpdates(p, u), s2];
}
expectType<[Params, AdamState<Params>]>(step(opt, params, grads, state));

// A custom optimizer declares its state kind.
interface SignSgdState<P> {
  count: number;
  last: P;
}
interface SignSgdKind extends OptimizerStateKind {
  readonly state: SignSgdState<this["params"]>;
}
declare const signSgd: Optimizer<SignSgdKind>;
expectType<SignSgdState<Params>>(signSgd.init(params));
expectType<Params>(signSgd.init(params).last);
