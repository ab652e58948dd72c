/**
 * Type-level trees: what a transform returns for the trees it is given.
 */
import type { Num, Tracer } from "../core/num.js";

/**
 * A tree type with every `Num` replaced by `number`: the type of a gradient, of a transform's
 * output, of decoded parameters. Arrays keep their length, tuples their positions, records
 * their keys.
 *
 * @example
 * ```ts
 * import type { Num, Primal } from "chainrule";
 * type Params = { w: Num[]; b: Num };
 * const g: Primal<Params> = { w: [1, 2], b: 3 }; // { w: number[]; b: number }
 * console.log(g.b);
 * ```
 * @category Trees
 */
export type Primal<T> = T extends Num
  ? number
  : T extends (...args: never[]) => unknown
    ? never
    : T extends readonly unknown[]
      ? { [K in keyof T]: Primal<T[K]> }
      : T extends object
        ? { [K in keyof T]: Primal<T[K]> }
        : never;

/**
 * A tree type with every leaf a `Num`: what tangents and cotangents mirroring `T` may be
 * (plain numbers at the top level, traced values inside an enclosing transform).
 *
 * @example
 * ```ts
 * import type { Num, Tangent } from "chainrule";
 * const t: Tangent<{ w: number[] }> = { w: [1, 0] };
 * console.log(t.w.length);
 * ```
 * @category Trees
 */
export type Tangent<T> = 0 extends 1 & T
  ? any // T is any (e.g. while TypeScript is still inferring a generic argument): no constraint
  : T extends Num
    ? Num
    : T extends (...args: never[]) => unknown
      ? never
      : T extends readonly unknown[]
        ? { [K in keyof T]: Tangent<T[K]> }
        : T extends object
          ? { [K in keyof T]: Tangent<T[K]> }
          : never;

/**
 * One tangent tree per parameter of a function with parameters `P` (a tuple stays a tuple):
 * the `tangents` of `jvp`, and what a `customJvp` rule receives.
 *
 * @example
 * ```ts
 * import type { Num, Tangents } from "chainrule";
 * const t: Tangents<[Num, { w: Num[] }]> = [1, { w: [0, 1] }];
 * console.log(t.length); // 2
 * ```
 * @category Trees
 */
export type Tangents<P extends readonly unknown[]> = { [K in keyof P]: Tangent<P[K]> };

/**
 * The auxiliary data of `hasAux`, as it comes back: `Num` leaves become numbers; anything else
 * (strings, class instances, functions) comes back untouched.
 *
 * @example
 * ```ts
 * import type { Aux, Num } from "chainrule";
 * const a: Aux<{ loss: Num; tag: string }> = { loss: 1, tag: "step 1" };
 * console.log(a.tag);
 * ```
 * @category Trees
 */
export type Aux<T> = T extends Num
  ? number
  : T extends Tracer
    ? number
    : T extends readonly unknown[]
      ? { [K in keyof T]: Aux<T[K]> }
      : T extends (...args: never[]) => unknown
        ? T
        : T extends object
          ? { [K in keyof T]: Aux<T[K]> }
          : T;
