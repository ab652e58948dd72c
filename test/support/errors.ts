// Helpers for tests that expect a particular error or run under both jit strategies.
import { expect } from "vitest";
import { codegen } from "../../src/jit/compile.js";
import { NonFiniteError } from "../../src/index.js";

/** The NonFiniteError that `fn` throws (fails the test when it throws nothing or something else). */
export function nonFinite(fn: () => unknown): NonFiniteError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NonFiniteError);
    return e as NonFiniteError;
  }
  throw new Error("expected NonFiniteError");
}

/** Runs `body` with code generation allowed, then forbidden (jit's interpreter). */
export function bothStrategies(body: () => void): void {
  try {
    for (const forbidden of [false, true]) {
      codegen.forbidden = forbidden;
      body();
    }
  } finally {
    codegen.forbidden = false;
  }
}
