// Optimizers: first steps against closed forms, convergence on a quadratic, JSON round trips
// of the state, purity (nothing mutated), schedules, errors, and differentiating a step.
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import {
  adam,
  applyUpdates,
  ChainruleError,
  decodeTree,
  grad,
  momentum,
  mul,
  sgd,
  square,
  sub,
  sum,
  TreeDecodeError,
  TreeStructureError,
  type Num,
  type Optimizer,
  type OptimizerStateKind,
} from "../src/index.js";

type Params = { w: number[]; b: number };

/** Freezes a tree (and everything in it) so that any mutation throws (modules are strict). */
function deepFreeze<T>(x: T): T {
  if (typeof x === "object" && x !== null) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

/** Runs `steps` updates with constant or per-step gradients, returning every update. */
function run<K extends OptimizerStateKind, P>(opt: Optimizer<K>, params: P, grads: readonly P[]): P[] {
  let state = opt.init(params);
  const out: P[] = [];
  for (const g of grads) {
    const [u, next] = opt.update(g, state, params);
    out.push(u);
    state = next;
  }
  return out;
}

const expectClose = (actual: number, expected: number, rel = 1e-14): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
};

describe("sgd", () => {
  it("updates by −lr·g", () => {
    const opt = sgd(0.1);
    const params: Params = { w: [1, 2], b: 0 };
    const [u, s] = opt.update({ w: [1, -1], b: 2 }, opt.init(params), params);
    expect(u).toEqual({ w: [-0.1, 0.1], b: -0.2 });
    expect(s).toEqual({ count: 1 });
    expect(applyUpdates(params, u)).toEqual({ w: [0.9, 2.1], b: -0.2 });
  });

  it("evaluates a schedule at the number of earlier updates (0 first)", () => {
    const seen: number[] = [];
    const opt = sgd((count) => {
      seen.push(count);
      return 1 / (count + 1);
    });
    expect(run(opt, 0, [6, 6, 6])).toEqual([-6, -3, -2]);
    expect(seen).toEqual([0, 1, 2]);
  });
});

describe("momentum", () => {
  it("v ← β·v + g, update −lr·v (constant gradient: v_t = (1 − βᵗ)/(1 − β))", () => {
    const us = run(momentum(0.1, 0.5), [0], [[1], [1], [1], [1]]).map((u) => u[0]!);
    [-0.1, -0.15, -0.175, -0.1875].forEach((x, i) => expectClose(us[i]!, x));
  });

  it("uses β = 0.9 by default and tracks varying gradients", () => {
    // v1 = 2, v2 = 0.9·2 − 1 = 0.8, v3 = 0.9·0.8 + 4 = 4.72
    const us = run(momentum(1), [0], [[2], [-1], [4]]).map((u) => u[0]!);
    expectClose(us[0]!, -2);
    expectClose(us[1]!, -0.8);
    expectClose(us[2]!, -4.72);
  });

  it("with β = 0 is sgd", () => {
    const gs = [[1, -2], [3, 0.5], [-4, 2]];
    expect(run(momentum(0.3, 0), [0, 0], gs)).toEqual(run(sgd(0.3), [0, 0], gs));
  });

  it("keeps the velocity in a plain state", () => {
    const opt = momentum(0.1);
    const s0 = opt.init({ w: [5, 6], b: 7 });
    expect(s0).toEqual({ count: 0, velocity: { w: [0, 0], b: 0 } });
    const [, s1] = opt.update({ w: [1, 2], b: 3 }, s0);
    expect(s1).toEqual({ count: 1, velocity: { w: [1, 2], b: 3 } });
  });
});

describe("adam", () => {
  it("the first update is −lr·g/(|g| + eps): −lr·sign(g) as eps → 0", () => {
    const g = [3, -0.25, 1e-3, -7e5];
    const [u] = run(adam(0.01, { eps: 0 }), [0, 0, 0, 0], [g]);
    u!.forEach((x, i) => expectClose(x, -0.01 * Math.sign(g[i]!)));
    // With the default eps = 1e-8, outside the square root: a gradient of 1e-8 moves by lr/2.
    const [small] = run(adam(0.01), [0], [[1e-8]]);
    expectClose(small![0]!, -0.005, 1e-9);
  });

  it("a zero gradient gives a zero update", () => {
    // (−0 or 0: the update is 0 · −lr.)
    expect(run(adam(0.1), [0], [[0]])[0]![0] === 0).toBe(true);
    expect(run(adam(0.1, { epsRoot: 1e-8 }), [0], [[0]])[0]![0] === 0).toBe(true);
  });

  it("the second update matches the bias-corrected closed form", () => {
    // m̂₂ = (g₂ + b1·g₁)/(1 + b1), v̂₂ = (g₂² + b2·g₁²)/(1 + b2), update −lr·m̂₂/(√v̂₂ + eps)
    const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 0.05];
    const [g1, g2] = [1, -2];
    const mHat = (g2 + b1 * g1) / (1 + b1);
    const vHat = (g2 * g2 + b2 * g1 * g1) / (1 + b2);
    const us = run(adam(lr), [0], [[g1], [g2]]);
    expectClose(us[1]![0]!, (-lr * mHat) / (Math.sqrt(vHat) + eps), 1e-13);
  });

  it("agrees with Adam's moments written as explicit weighted sums over the whole history", () => {
    const opts = { b1: 0.8, b2: 0.99, eps: 1e-6 };
    const gs = [0.3, -1.2, 2.5, 0.01, -0.7, 4, -3.3];
    const us = run(adam(0.02, opts), 0, gs);
    for (let t = 1; t <= gs.length; t++) {
      let m = 0;
      let v = 0;
      for (let i = 1; i <= t; i++) {
        m += (1 - opts.b1) * opts.b1 ** (t - i) * gs[i - 1]!;
        v += (1 - opts.b2) * opts.b2 ** (t - i) * gs[i - 1]! ** 2;
      }
      const mHat = m / (1 - opts.b1 ** t);
      const vHat = v / (1 - opts.b2 ** t);
      expectClose(us[t - 1]!, (-0.02 * mHat) / (Math.sqrt(vHat) + opts.eps), 1e-12);
    }
  });

  it("keeps count, mu and nu in a plain state", () => {
    const opt = adam(0.1);
    const s0 = opt.init({ w: [1, 2], b: 3 });
    expect(s0).toEqual({ count: 0, mu: { w: [0, 0], b: 0 }, nu: { w: [0, 0], b: 0 } });
    expect(s0.mu).not.toBe(s0.nu);
    const [, s1] = opt.update({ w: [1, -2], b: 0 }, s0);
    expect(s1.count).toBe(1);
    expectClose(s1.mu.w[0]!, 0.1);
    expectClose(s1.mu.w[1]!, -0.2);
    expectClose(s1.nu.w[1]!, 0.004);
  });

  it("evaluates a schedule at the count before the update", () => {
    const us = run(adam((c) => (c === 0 ? 1 : 0.5), { eps: 0 }), [0], [[2], [2], [2]]).map((u) => u[0]!);
    expectClose(us[0]!, -1);
    expectClose(us[1]!, -0.5);
    expectClose(us[2]!, -0.5);
  });
});

// ---- Properties every optimizer has ----------------------------------------------------------

const optimizers: [string, () => Optimizer<OptimizerStateKind>][] = [
  ["sgd", () => sgd(0.05)],
  ["momentum", () => momentum(0.02, 0.9)],
  ["adam", () => adam(0.05)],
];

// f(p) = Σ scale·(p − target)², with its minimum at target.
const target: Params = { w: [1.5, -2, 0.25], b: 3 };
const loss = (p: { w: Num[]; b: Num }) =>
  sum([...p.w.map((w, i) => mul(i + 1, square(sub(w, target.w[i]!)))), mul(0.5, square(sub(p.b, target.b)))]);

describe.each(optimizers)("%s", (_name, make) => {
  it("minimises a quadratic", () => {
    const opt = make();
    let params: Params = { w: [0, 0, 0], b: 0 };
    let state = opt.init(params);
    for (let i = 0; i < 2000; i++) {
      const [u, next] = opt.update(grad(loss)(params), state, params);
      params = applyUpdates(params, u);
      state = next;
    }
    params.w.forEach((w, i) => expect(Math.abs(w - target.w[i]!)).toBeLessThan(1e-4));
    expect(Math.abs(params.b - target.b)).toBeLessThan(1e-4);
  });

  it("init returns a plain object, new each time, sharing nothing with params", () => {
    const opt = make();
    const params: Params = { w: [1, 2], b: 3 };
    const s = opt.init(params) as object;
    expect(Object.getPrototypeOf(s)).toBe(Object.prototype);
    expect(opt.init(params)).not.toBe(s);
    for (const v of Object.values(s)) expect(v).not.toBe(params);
    expect(Object.getPrototypeOf(opt.init(5))).toBe(Object.prototype);
  });

  it("its state survives a JSON round trip (and decodes with the init state as template)", () => {
    const opt = make();
    const params: Params = { w: [0.5, -1, 2], b: 0 };
    const g = grad(loss);
    let p1 = params;
    let s1 = opt.init(params);
    for (let i = 0; i < 5; i++) {
      const [u, next] = opt.update(g(p1), s1, p1);
      p1 = applyUpdates(p1, u);
      s1 = next;
    }
    const saved = JSON.stringify(s1);
    // (The state type of a generic Optimizer<OptimizerStateKind> is unknown: decode untyped.)
    const decodeAny = decodeTree as (template: unknown, input: unknown) => E.Either<TreeDecodeError, unknown>;
    const decoded = decodeAny(opt.init(params), JSON.parse(saved));
    expect(E.isRight(decoded)).toBe(true);
    let s2 = (E.isRight(decoded) ? decoded.right : undefined) as typeof s1;
    expect(s2).toEqual(s1);
    let p2 = p1;
    for (let i = 0; i < 5; i++) {
      const [u1, n1] = opt.update(g(p1), s1, p1);
      const [u2, n2] = opt.update(g(p2), s2, p2);
      p1 = applyUpdates(p1, u1);
      p2 = applyUpdates(p2, u2);
      s1 = n1;
      s2 = n2;
    }
    expect(p2).toEqual(p1);
    expect(JSON.stringify(s2)).toBe(JSON.stringify(s1));
  });

  it("mutates nothing it is given", () => {
    const opt = make();
    const params = deepFreeze({ w: [1, 2], b: 3 });
    const grads = deepFreeze({ w: [0.5, -1], b: 2 });
    const state = deepFreeze(opt.init(params));
    const before = JSON.stringify([params, grads, state]);
    const [u1, s1] = opt.update(grads, state, params);
    const [u2] = opt.update(grads, state, params);
    expect(u2).toEqual(u1);
    deepFreeze(u1);
    deepFreeze(s1);
    const p1 = applyUpdates(params, u1);
    expect(p1).not.toBe(params);
    opt.update(grads, s1, p1);
    expect(JSON.stringify([params, grads, state])).toBe(before);
  });

  it("names the path in grads when grads do not have the parameters' structure (the state is not blamed)", () => {
    const opt = make();
    const state = opt.init({ w: [1, 2], b: 3 });
    const update = () => opt.update({ w: [1, 2, 3], b: 0 }, state);
    expect(update).toThrow(TreeStructureError);
    expect(update).toThrow(new RegExp(`^${_name}\\.update: grads .*parameters' structure.*at w`));
    expect(() => opt.update({ w: [1, "x" as unknown as number], b: 0 }, state)).toThrow(/grads.*w\[1\]/);
  });

  it("rejects something that is not its state", () => {
    const opt = make();
    expect(() => opt.update(1, {} as never)).toThrow(ChainruleError);
    expect(() => opt.update(1, null as never)).toThrow(/state must be the state returned by init/);
    expect(() => opt.update(1, { count: -1 } as never)).toThrow(/integer count/);
  });
});

describe("applyUpdates", () => {
  it("adds leaf by leaf into a new tree", () => {
    const params = deepFreeze({ w: [1, 2], b: 3 });
    const out = applyUpdates(params, { w: [0.5, -0.5], b: -1 });
    expect(out).toEqual({ w: [1.5, 1.5], b: 2 });
    expect(out).not.toBe(params);
    expect(applyUpdates(2, 0.5)).toBe(2.5);
    expect(applyUpdates([], [])).toEqual([]);
  });

  it("names the path where updates differ from params", () => {
    expect(() => applyUpdates({ w: [1, 2], b: 3 }, { w: [1], b: 0 })).toThrow(TreeStructureError);
    expect(() => applyUpdates({ w: [1, 2], b: 3 }, { w: [1], b: 0 })).toThrow(/applyUpdates: updates.* at w/);
    expect(() => applyUpdates({ w: [1, 2], b: 3 }, { w: [1, 2] } as never)).toThrow(/missing key at b/);
  });
});

describe("factories check their hyperparameters", () => {
  it("learning rates", () => {
    expect(() => sgd("0.1" as never)).toThrow(ChainruleError);
    expect(() => adam(undefined as never)).toThrow(/learning rate must be a number or a schedule/);
    const opt = sgd(() => "x" as never);
    expect(() => opt.update(1, opt.init(1))).toThrow(/schedule returned a string \("x"\) for count 0/);
  });

  it("decays and epsilons", () => {
    expect(() => momentum(0.1, 1)).toThrow(/beta must be a finite number in \[0, 1\)/);
    expect(() => momentum(0.1, -0.1)).toThrow(ChainruleError);
    expect(() => adam(0.1, { b1: 1 })).toThrow(/b1/);
    expect(() => adam(0.1, { b2: NaN })).toThrow(/b2/);
    expect(() => adam(0.1, { eps: -1 })).toThrow(/eps/);
    expect(() => adam(0.1, { b1: 0, b2: 0, eps: 0 })).not.toThrow();
  });
});

describe("optimizers validate their hyperparameters with a ChainruleError", () => {
  for (const [what, make, pattern] of [
    ["sgd(NaN)", () => sgd(NaN), /sgd: the learning rate must be .*NaN/],
    ["sgd(Infinity)", () => sgd(Infinity), /sgd: the learning rate/],
    ["sgd(-0.1)", () => sgd(-0.1), /negated objective/],
    ["sgd(1n)", () => sgd(1n as never), /bigint/],
    ["sgd(a class)", () => sgd(class Schedule {} as never), /class Schedule/],
    ["sgd(Symbol())", () => sgd(Symbol() as never), /symbol/],
    ["momentum beta NaN", () => momentum(0.1, NaN), /beta must be a finite number in \[0, 1\)/],
    ["momentum beta null", () => momentum(0.1, null as never), /beta.*null/],
    ["adam options null", () => adam(0.1, null as never), /adam: options must be a plain object/],
    ["adam options 1e308", () => adam(0.1, 1e308 as never), /adam: options must be a plain object/],
    ["adam with an unknown option", () => adam(0.1, { beta1: 0.9 } as never), /adam: unknown option 'beta1'.*Options are: b1, b2, eps, epsRoot/],
    ["adam b1 -0.1", () => adam(0.1, { b1: -0.1 }), /adam: b1 must be a finite number in \[0, 1\)/],
    ["adam eps Infinity", () => adam(0.1, { eps: Infinity }), /adam: eps must be a finite number ≥ 0/],
    ["adam epsRoot a string", () => adam(0.1, { epsRoot: "0" as never }), /adam: epsRoot.*string/],
    ["adam b2 a null-prototype object", () => adam(0.1, { b2: Object.create(null) }), /adam: b2.*null prototype/],
  ] as const) {
    it(`${what} is a ChainruleError`, () => {
      expect(make).toThrow(ChainruleError);
      expect(make).toThrow(pattern);
    });
  }
  it("a schedule returning NaN or a negative rate is refused when it is used", () => {
    const opt = sgd(() => NaN);
    expect(() => opt.update([1], opt.init([0]))).toThrow(/schedule returned the number NaN for count 0/);
    const neg = sgd(() => -1);
    expect(() => neg.update([1], neg.init([0]))).toThrow(/schedule returned the number -1/);
  });
});

describe("update checks the gradients against the parameters' structure, and the state", () => {
  const params = { layers: [{ w: [1, 2], b: 0 }, { w: [3], b: 1 }] };
  const badGrads = { layers: [{ w: [1, 2], b: 0 }, { w: [3] }] } as never;
  const optimizers = [
    ["sgd", sgd(0.1)],
    ["momentum", momentum(0.1)],
    ["adam", adam(0.1)],
  ] as const;
  for (const [name, opt] of optimizers) {
    it(`${name}.update: grads missing a key is a TreeStructureError at that path in grads, not blamed on the state`, () => {
      const state = opt.init(params);
      const update = () => opt.update(badGrads, state as never);
      expect(update).toThrow(TreeStructureError);
      expect(update).toThrow(`${name}.update: grads (they must have the parameters' structure): missing key at layers[1].b`);
      try {
        update();
      } catch (e) {
        expect((e as TreeStructureError).path).toBe("layers[1].b");
      }
    });
    it(`${name}.update: with params given, grads are checked against params`, () => {
      const state = JSON.parse(JSON.stringify(opt.init({ w: [1] }))) as never; // no recorded structure
      expect(() => opt.update({ w: 1 } as never, state, { w: [1] } as never)).toThrow(/grads .* at w/);
    });
    it(`${name}.update: a state from another optimizer is a ChainruleError`, () => {
      for (const [other, o] of optimizers) {
        if (other === name) continue;
        expect(() => opt.update(params, o.init(params) as never)).toThrow(/state of another optimizer\?/);
      }
    });
    it(`${name}.update: states that are not states (null, revoked Proxy, a class instance, a BigInt count) are ChainruleErrors`, () => {
      const r = Proxy.revocable({}, {});
      r.revoke();
      for (const bad of [null, 5, r.proxy, new Map(), { count: 1n }, { count: 0.5 }, Object.create(null)]) {
        expect(() => opt.update(params, bad as never)).toThrow(ChainruleError);
      }
    });
    it(`${name}: a state that went through JSON (no recorded structure) still works`, () => {
      const state = JSON.parse(JSON.stringify(opt.init(params))) as never;
      const [updates] = opt.update(params, state);
      expect(treeShape(updates)).toEqual(treeShape(params));
    });
  }
  it("a mangled state tree blames the state, with its path", () => {
    const opt = adam(0.1);
    const state = opt.init(params);
    const mangled = { ...state, nu: { layers: [{ w: [0, 0], b: 0 }, { w: [0, 0], b: 0 }] } };
    expect(() => opt.update(params, mangled as never)).toThrow(/adam\.update: state .* at nu\.layers\[1\]\.w/);
    const m = momentum(0.1);
    expect(() => m.update(params, { count: 0, velocity: 5 } as never, params)).toThrow(TreeStructureError);
  });
  it("init refuses params that are not a tree (also sgd, whose state holds no tree)", () => {
    expect(() => sgd(0.1).init({ w: "x" } as never)).toThrow(/sgd\.init: params.* at w/);
  });
});

/** The structure of a tree, leaves replaced by 0. */
function treeShape(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === "number" ? 0 : v)));
}

describe("a step is differentiable", () => {
  it("d/dlr of the loss after one sgd step, in closed form", () => {
    // p = 3, f(p) = p², g = 6; after a step p' = 3 − 6·lr and f(p') = (3 − 6·lr)².
    // d/dlr f(p') = 2·(3 − 6·lr)·(−6), −28.8 at lr = 0.1.
    const f = (p: Num) => square(p);
    const afterStep = (lr: Num) => {
      const opt = sgd(lr);
      const [u] = opt.update(grad(f)(3), opt.init(3));
      return f(applyUpdates<Num>(3, u));
    };
    expectClose(grad(afterStep)(0.1), -28.8);
  });

  it("d/dlr through adam (first step, eps = 0: p' = p − lr·sign(g))", () => {
    const afterStep = (lr: Num) => {
      const opt = adam(lr, { eps: 0 });
      const [u] = opt.update(-4, opt.init(0));
      return square(applyUpdates<Num>(2, u)); // (2 + lr)²
    };
    expectClose(grad(afterStep)(0.5), 5);
  });
});
