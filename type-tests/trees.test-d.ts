import { expectAssignable, expectError, expectType } from "tsd";
import { treeLeaves, treeMap, treeStructure, type Num, type Primal, type Tangent, type TreeDef } from "chainrule";

// Primal<T>: every Num becomes number; arrays, tuples, records and interfaces keep their shape.
interface Layer {
  w: Num[];
  b: Num;
}
type Model = { layers: Layer[]; scale: Num; pair: [Num, Num]; ro: readonly Num[] };
expectType<{ layers: { w: number[]; b: number }[]; scale: number; pair: [number, number]; ro: readonly number[] }>(
  {} as Primal<Model>,
);
expectType<number>({} as Primal<Num>);
expectType<number>({} as Primal<number>);

// Tangent<T>: leaves may be traced.
expectAssignable<Tangent<{ w: number[] }>>({ w: [1 as Num, 2] });

// treeMap keeps the shape (and the leaf type the function returns); rest trees share it.
const params = { w: [1, 2], b: 3 };
expectType<{ w: number[]; b: number }>(treeMap((p, g) => p - 0.1 * g, params, params));
expectError(treeMap((p: number) => p, params, { w: [1, 2] }));
expectType<number[]>(treeLeaves(params));
expectType<TreeDef>(treeStructure(params));
