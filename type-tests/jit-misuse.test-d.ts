import { expectError, expectType } from "tsd";
import {
  add,
  grad,
  hessian,
  jit,
  mul,
  sum,
  valueAndGrad,
  vjp,
  where,
  eq,
  type JitChecked,
  type JitOptions,
  type Num,
  type NumberLeafPath,
} from "chainrule";

// Traced (non-static) parameters typed with number leaves are refused: jit would trace them, and
// `===`/`if` on them would silently take one branch for every input.
expectError(jit((x: Num, y: number) => mul(x, y)));
expectError(jit((x: number) => x));
expectError(jit((x: 3) => x));
expectError(jit((x: Num, ys: number[]) => mul(x, ys[0]!)));
expectError(jit((p: { w: number }) => p.w));
expectError(jit((p: { w: Num[]; labels: number[] }) => sum(p.w)));
expectError(jit((p: [Num, number]) => p[0]));
expectError(jit((x: Num, y?: number) => x));
expectError(jit((...xs: number[]) => sum(xs)));
expectError(jit(valueAndGrad((p: { w: Num[] }, xs: number[][]) => sum(p.w.map((w, i) => mul(w, xs[i]![0]!))))));
// A static position only exempts itself.
expectError(jit((x: Num, k: number, ys: number[]) => mul(x, add(k, ys[0]!)), { staticArgnums: 1 }));
expectError(jit((x: Num, k: number, ys: number[]) => mul(x, add(k, ys[0]!)), { staticArgnums: [1] }));

// The message says what to do.
const message: JitChecked<(x: Num, y: number) => Num, never> =
  "jit: parameter 1 is typed number; type it Num (it is traced) or mark it static with staticArgnums: 1";
void message;
expectType<"args[1].labels[i]">({} as NumberLeafPath<{ w: Num[]; labels: number[] }, "args[1]">);
expectType<never>({} as NumberLeafPath<{ w: Num[]; b: Num }, "p">);

// Accepted: Num and trees of Num, any, unknown, and number at static positions.
expectType<number>(jit((x: Num, y: Num) => mul(x, y))(1, 2));
expectType<number>(jit((p: { w: Num[]; b: Num }, xs: Num[][]) => add(sum(p.w), xs[0]![0]!))({ w: [1], b: 2 }, [[3]]));
expectType<number>(jit((p: [Num, Num]) => p[0])([1, 2]));
expectType<number>(jit((x: any, y: unknown) => mul(x, y as Num))(1, 2));
expectType<number>(jit((x: Num, k: number) => mul(x, k), { staticArgnums: 1 })(2, 3));
expectType<number>(jit((x: Num, k: number, ys: number[]) => mul(x, add(k, ys[0]!)), { staticArgnums: [1, 2] })(2, 3, [4]));
expectType<number>(jit((k: number, x: Num) => mul(x, k), { staticArgnums: [0] })(2, 3));
expectType<number>(jit((x: Num, cfg: { k: number; name: string }) => mul(x, cfg.k), { staticArgnums: 1 })(2, { k: 3, name: "a" }));
expectType<number>(jit((x: Num, mode: "a" | "b") => (mode === "a" ? x : mul(x, 2)), { staticArgnums: 1 })(2, "a"));
expectType<number>(jit((x: Num) => x, { verify: false })(2));
type Tree = { v: Num; kids: Tree[] };
expectType<number>(jit((t: Tree) => t.v)({ v: 1, kids: [] }));
expectError(jit((t: { v: number; kids: Tree[] }) => t.v));
// Static positions unknown at compile time (an options variable): every parameter is accepted.
const options: JitOptions = { staticArgnums: 1 };
expectType<number>(jit((x: Num, k: number) => mul(x, k), options)(2, 3));

// Wrappers of correctly typed functions keep type-checking.
type Model = { w: Num[]; b: Num };
const loss = (p: Model, xs: Num[][], ys: Num[]) => sum(xs.map((x, i) => where(eq(ys[i]!, 1), add(sum(x), p.b), sum(p.w))));
expectType<{ w: number[]; b: number }>(jit(grad(loss))({ w: [1], b: 0 }, [[1]], [1]));
expectType<[number, { w: number[]; b: number }]>(jit(valueAndGrad(loss))({ w: [1], b: 0 }, [[1]], [1]));
expectType<number[][]>(jit(hessian((x: Num[]) => mul(x[0]!, x[1]!)))([1, 2]));
expectType<number>(jit((x: Num) => vjp((y: Num) => mul(y, y), x)[1](1)[0])(3));
