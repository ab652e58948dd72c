// Numeric helpers shared by the derivative tests: finite differences and tolerant comparison.
// Nothing here knows how chainrule computes a derivative; it only computes the reference.

/** Tolerance: `|actual - expected| <= atol + rtol * |expected|`. */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/**
 * Whether `actual` agrees with `expected` within `tol`. Non-finite expectations must match
 * exactly (same infinity, or both NaN); signed zeros compare equal.
 */
export function isClose(actual: number, expected: number, tol: Tolerance): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  if (!Number.isFinite(actual)) return false;
  return Math.abs(actual - expected) <= tol.atol + tol.rtol * Math.abs(expected);
}

/**
 * Collects mismatches instead of stopping at the first, so a failing test lists every entry
 * that disagrees (`expect(c.problems).toEqual([])`).
 */
export class Mismatches {
  readonly problems: string[] = [];
  close(label: string, actual: number, expected: number, tol: Tolerance): void {
    if (typeof actual !== "number") {
      this.problems.push(`${label}: expected a number, got ${String(actual)}`);
      return;
    }
    if (!isClose(actual, expected, tol)) {
      const diff = Math.abs(actual - expected);
      this.problems.push(`${label}: expected ${expected}, got ${actual} (|diff| ${diff.toExponential(2)})`);
    }
  }
  vector(label: string, actual: readonly number[], expected: readonly number[], tol: Tolerance): void {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      this.problems.push(`${label}: expected an array of length ${expected.length}, got ${JSON.stringify(actual)}`);
      return;
    }
    expected.forEach((e, i) => this.close(`${label}[${i}]`, actual[i]!, e, tol));
  }
  matrix(label: string, actual: readonly (readonly number[])[], expected: readonly (readonly number[])[], tol: Tolerance): void {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      this.problems.push(`${label}: expected ${expected.length} rows, got ${JSON.stringify(actual)}`);
      return;
    }
    expected.forEach((row, i) => this.vector(`${label}[${i}]`, actual[i]!, row, tol));
  }
}

/**
 * Central finite difference of `f` at `p` along coordinate `j`, with the fourth-order
 * five-point stencil `(f(-2h) - 8 f(-h) + 8 f(h) - f(2h)) / 12h` (truncation error O(h⁴)).
 */
export function finiteDifference(f: (p: number[]) => number, p: readonly number[], j: number, h: number): number {
  const at = (d: number): number => {
    const q = p.slice();
    q[j] = q[j]! + d;
    return f(q);
  };
  return (at(-2 * h) - 8 * at(-h) + 8 * at(h) - at(2 * h)) / (12 * h);
}

/** The finite-difference gradient of a scalar function of a vector. */
export function fdGradient(f: (p: number[]) => number, p: readonly number[], step: (x: number) => number): number[] {
  return p.map((x, j) => finiteDifference(f, p, j, step(x)));
}

/**
 * The finite-difference Jacobian of a vector function, as columns turned into rows:
 * `J[i][j] = ∂g_i/∂p_j`.
 */
export function fdJacobian(g: (p: number[]) => number[], p: readonly number[], step: (x: number) => number): number[][] {
  const cols = p.map((x, j) => {
    const h = step(x);
    const at = (d: number): number[] => {
      const q = p.slice();
      q[j] = q[j]! + d;
      return g(q);
    };
    const [m2, m1, p1, p2] = [at(-2 * h), at(-h), at(h), at(2 * h)];
    return m2.map((_, i) => (m2[i]! - 8 * m1[i]! + 8 * p1[i]! - p2[i]!) / (12 * h));
  });
  const m = cols[0]?.length ?? 0;
  return Array.from({ length: m }, (_, i) => cols.map((c) => c[i]!));
}

/** The unit vector `e_j` of length `n`. */
export function unit(n: number, j: number): number[] {
  return Array.from({ length: n }, (_, k) => (k === j ? 1 : 0));
}

/** `Σ a_i b_i` in plain numbers. */
export function dotPlain(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
