import { expectError, expectType } from "tsd";
import { grad, hessian, hvp, jacfwd, jacrev, jvp, mul, valueAndGrad, vjp, type Num, type OutputProblem } from "chainrule";

// The function's result: a scalar Num for grad and valueAndGrad, a tree of Num for the Jacobians.
expectError(grad((x: Num) => [x, x]));
expectError(grad((x: Num) => ({ y: x })));
expectError(grad((x: Num) => "x"));
expectError(grad((x: Num) => (x === 0 ? "zero" : x)));
expectError(valueAndGrad((x: Num) => [x, x]));
expectError(jacrev((x: Num) => "x"));
expectError(jacfwd((x: Num) => ({ y: x, label: "y" })));
expectError(hessian((x: Num) => [x, "x"]));
expectError(hvp((x: Num[]) => x));
expectError(vjp((x: Num) => "x", 1));
expectError(jvp((x: Num) => "x", [1], [1]));
expectType<[number, number]>(jvp(function (x: Num) { return mul(x, x); }, [1], [1]));

// The message is what the parameter's type becomes.
expectType<"grad: the function must return a scalar Num, not an array (for a vector output use jacrev or jacfwd)">(
  {} as OutputProblem<Num[], false, "grad">,
);
expectType<never>({} as OutputProblem<Num, false, "grad">);
expectType<never>({} as OutputProblem<{ a: Num[] }, false, "jacrev">);
expectType<never>({} as OutputProblem<readonly [Num, { tag: string }], true, "grad">);

// hasAux: a pair written inline needs no `as const`; a function defined apart does (or a return type).
const noConst = (x: Num) => [mul(x, x), { x }];
expectError(grad(noConst, { hasAux: true }));
expectError(grad((x: Num) => mul(x, x), { hasAux: true }));
expectError(valueAndGrad((x: Num) => [x, x, x], { hasAux: true }));
declare const flag: boolean;
expectError(grad((x: Num) => mul(x, x), { hasAux: flag }));
const [g1, aux1] = grad((x: Num) => [mul(x, x), { x, tag: "t" }], { hasAux: true })(3);
expectType<number>(g1);
expectType<{ x: number; tag: string }>(aux1);
const annotated = (x: Num): [Num, { x: Num }] => [mul(x, x), { x }];
expectType<[[number, { x: number }], number]>(valueAndGrad(annotated, { hasAux: true })(3));
expectType<[number[][], { n: number }]>(jacrev((x: Num[]) => [[mul(x[0]!, 2), x[0]!], { n: 1 }], { hasAux: true })([1]) as [number[][], { n: number }]);

// Misspelt options are excess-property errors naming the key.
const f = (x: Num, y: Num) => mul(x, y);
expectError(grad(f, { argnum: 1 }));
expectError(grad(f, { hasaux: true }));
expectError(grad(f, { staticArgnums: 1 }));
expectError(jacrev(f, { argnum: 1 }));

// argnums must name a parameter (when the parameter count is known).
expectError(grad(f, { argnums: 2 }));
expectError(valueAndGrad(f, { argnums: [0, 3] }));
expectError(jacrev((x: Num) => x, { argnums: -1 }));
expectType<number>(grad((x: Num, y?: Num) => mul(x, y ?? 1), { argnums: 1 })(1, 2));
expectType<number>(grad((...xs: Num[]) => mul(xs[0]!, xs[1]!), { argnums: 1 })(1, 2));
declare const which: number;
expectType<number | number[]>(grad(f, { argnums: which })(1, 2) as number | number[]);

// Function expressions and methods still infer (they are contextually typed differently).
expectType<number>(
  grad(function square(x: Num) {
    return mul(x, x);
  })(3),
);
const obj = { m(x: Num) { return mul(x, 3); } };
expectType<number>(grad(obj.m)(1));
