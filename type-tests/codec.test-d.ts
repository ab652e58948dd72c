import { expectAssignable, expectError, expectType } from "tsd";
import type * as t from "io-ts";
import type { Either } from "fp-ts/lib/Either.js";
import { decodeTree, grad, treeCodec, tryCatchChainrule, add, dot, type ChainruleError, type Num, type TreeDecodeError } from "chainrule";

// Decoding a template of type T gives Primal<T>; an inline template keeps arrays as arrays.
expectType<Either<TreeDecodeError, { w: number[]; b: number }>>(decodeTree({ w: [0, 0], b: 0 }, {}));
expectType<Either<TreeDecodeError, number>>(decodeTree(0, "1"));
expectType<t.Type<{ w: number[]; b: number }, { w: number[]; b: number }, unknown>>(treeCodec({ w: [0, 0], b: 0 }));

// Tuples stay tuples, interfaces work, nested records keep their keys.
expectType<Either<TreeDecodeError, [number, number]>>(decodeTree([0, 0] as [number, number], null));
interface Layer {
  w: number[];
  b: number;
}
interface Model {
  layers: Layer[];
  scale: number;
}
const model: Model = { layers: [{ w: [1], b: 2 }], scale: 3 };
expectType<Either<TreeDecodeError, { layers: { w: number[]; b: number }[]; scale: number }>>(decodeTree(model, null));

// Options.
expectType<Either<TreeDecodeError, number[]>>(decodeTree([0], null, { allowNonFinite: true }));
expectError(decodeTree([0], null, { allowNonFinite: "yes" }));

// A template that is not a tree of numbers is a compile error.
expectError(decodeTree({ w: "x" }, null));
expectError(decodeTree("x", null));
expectError(decodeTree({ w: [0, null] }, null));
expectError(treeCodec({ f: () => 1 }));

// The decoded tree feeds a loss over Num directly.
const loss = (p: { w: Num[]; b: Num }, x: number[]) => add(dot(p.w, x), p.b);
const decoded = decodeTree({ w: [0, 0], b: 0 }, {});
if (decoded._tag === "Right") expectType<{ w: number[]; b: number }>(grad(loss)(decoded.right, [1, 2]));

// The codec's static type is Primal<T>.
const C = treeCodec({ a: [0], b: { c: 0 } });
expectType<{ a: number[]; b: { c: number } }>(null as unknown as t.TypeOf<typeof C>);

// tryCatchChainrule keeps the parameters and wraps the result.
const safe = tryCatchChainrule(grad(loss));
expectType<Either<ChainruleError, { w: number[]; b: number }>>(safe({ w: [1, 2], b: 0 }, [3, 4]));
expectError(safe({ w: [1, 2] }, [3, 4]));
expectAssignable<(a: number, b: string) => Either<ChainruleError, string>>(tryCatchChainrule((a: number, b: string) => b.repeat(a)));
