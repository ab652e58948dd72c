// Deep closeness of two trees of numbers (arrays and records, keys in the same order), for the
// derivative tests that compare whole gradients, Jacobians and Hessians.
import { expect } from "vitest";

/** Asserts `actual` has `expected`'s structure and each number is close to `digits` decimals (NaN matches NaN). */
export function expectClose(actual: unknown, expected: unknown, digits = 12): void {
  if (typeof expected === "number") {
    expect(typeof actual).toBe("number");
    if (Number.isNaN(expected)) expect(actual).toBeNaN();
    else expect(actual as number).toBeCloseTo(expected, digits);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual)).toBe(true);
    expect((actual as unknown[]).length).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, digits));
    return;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  expect(Object.keys(a)).toEqual(Object.keys(e));
  for (const k of Object.keys(e)) expectClose(a[k], e[k], digits);
}
