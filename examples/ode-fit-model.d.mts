// Types for ode-fit-model.mjs (so that test/ode-fit.test.ts type-checks against it).
import type { Num } from "../src/index.js";

export interface OscillatorParams<N = number> {
  omega: N;
  zeta: N;
}
export interface OdeFitConfig {
  readonly truth: Readonly<OscillatorParams>;
  readonly start: Readonly<OscillatorParams>;
  readonly x0: number;
  readonly v0: number;
  readonly steps: number;
  readonly dt: number;
  readonly noise: number;
  readonly seed: number;
  readonly iterations: number;
  readonly learningRate: number;
  readonly logEvery: number;
}
export interface OdeFitProgress {
  iteration: number;
  loss: number;
  params: OscillatorParams;
}
export interface OdeFitResult {
  params: OscillatorParams;
  loss: number;
  seconds: number;
}
export declare const DEFAULT_CONFIG: OdeFitConfig;
export declare const TOLERANCE: Readonly<OscillatorParams>;
export declare function simulate(params: OscillatorParams<Num>, config: Pick<OdeFitConfig, "x0" | "v0" | "steps" | "dt">): Num[];
export declare function observe(config?: OdeFitConfig): number[];
export declare function makeLoss(observed: readonly number[], config?: OdeFitConfig): (params: OscillatorParams<Num>) => Num;
export declare function fit(config?: OdeFitConfig, onProgress?: (p: OdeFitProgress) => void): OdeFitResult;
