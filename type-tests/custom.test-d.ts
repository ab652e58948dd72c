import { expectError, expectType } from "tsd";
import { checkGrads, cos, customJvp, customVjp, debugNans, dot, mul, sin, type Num } from "chainrule";

// customVjp keeps f's signature; fwd gets f's parameters; residuals flow to bwd.
const f = (p: { w: Num[] }, x: Num[]): Num => dot(p.w, x);
const g = customVjp(f, {
  fwd: (p, x) => [dot(p.w, x), { p, x }],
  bwd: (res, ct) => {
    expectType<{ w: Num[] }>(res.p);
    expectType<Num>(ct);
    return [{ w: res.x.map((xi) => mul(ct, xi)) }, null];
  },
});
expectType<typeof f>(g);

// bwd must return one gradient per argument, shaped like it.
expectError(customVjp((x: Num) => sin(x), { fwd: (x) => [sin(x), x], bwd: (x, ct) => [{ w: mul(ct, cos(x)) }] }));

// customJvp: primals and tangents mirror the parameters.
const s = customJvp((x: Num, y: Num) => mul(x, y), {
  jvp: ([x, y], [tx, ty]) => [mul(x, y), mul(tx, y)],
});
expectType<(x: Num, y: Num) => Num>(s);

// checkGrads: args typed as f's parameters.
checkGrads(f, [{ w: [1, 2] }, [3, 4]]);
expectError(checkGrads(f, [{ w: [1, 2] }]));

// debugNans keeps the signature.
expectType<typeof f>(debugNans(f));

// Residuals written inline keep their shape (a tuple stays a tuple).
customVjp((a: Num, b: Num) => mul(a, b), {
  fwd: (a, b) => [mul(a, b), [a, b]],
  bwd: ([a, b], ct) => {
    expectType<Num>(a);
    return [mul(ct, b), mul(ct, a)];
  },
});
