// Shared checks of the loop tests: a function written with a loop primitive against the same
// computation written as a hand-unrolled JavaScript loop, under every transform.
import { expect } from "vitest";
import { dot, grad, hessian, jit, jvp, valueAndGrad, type Num } from "../../src/index.js";
import { expectClose } from "../support/expect-close.js";

export type VecFn = (x: Num[]) => Num;

/** A fixed direction for forward mode and for grad∘grad: (1, 2, …)/n. */
export function direction(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i + 1) / n);
}

/**
 * `f` (with a loop) and `ref` (the same computation unrolled by hand) agree at `x`: value, grad,
 * grad∘grad (the gradient of ⟨∇f, t⟩), jvp, hessian, jit, grad(jit), jit(grad) and
 * jit(valueAndGrad) (each to `digits` decimals).
 */
export function expectSameAsUnrolled(f: VecFn, ref: VecFn, x: readonly number[], digits = 10): void {
  const xs = x.slice();
  const t = direction(xs.length);
  expectClose(f(xs), ref(xs), digits);
  const g = grad(ref)(xs);
  expectClose(grad(f)(xs), g, digits);
  expectClose(grad((p: Num[]) => dot(grad(f)(p), t))(xs), grad((p: Num[]) => dot(grad(ref)(p), t))(xs), digits);
  expectClose(jvp(f, [xs], [t]), jvp(ref, [xs], [t]), digits);
  expectClose(hessian(f)(xs), hessian(ref)(xs), digits);
  expectClose(jit(f)(xs), ref(xs), digits);
  expectClose(grad(jit(f))(xs), g, digits);
  expectClose(jit(grad(f))(xs), g, digits);
  expectClose(jit(valueAndGrad(f))(xs), [ref(xs), g], digits);
}

/** Central difference of a scalar function of one variable (step h, O(h²)). */
export function centralDifference(f: (x: number) => number, x: number, h = 1e-5): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

/** Asserts that every number in a tree is finite. */
export function expectFinite(tree: unknown): void {
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...(v as unknown[]));
    else if (v !== null && typeof v === "object") stack.push(...Object.values(v));
    else expect(Number.isFinite(v as number), `${String(v)} is finite`).toBe(true);
  }
}
