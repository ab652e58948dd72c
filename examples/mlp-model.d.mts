// Types for mlp-model.mjs (so that test/mlp.test.ts type-checks against it).
// (Types come from the source, so that type-checking needs no build; at run time the module
// imports the built package "chainrule".)
import type { Num } from "../src/index.js";

export interface Layer {
  w: number[][];
  b: number[];
}
export interface MlpParams {
  layers: Layer[];
}
export interface MlpParamsNum {
  layers: { w: Num[][]; b: Num[] }[];
}
export interface Dataset {
  xs: number[][];
  ys: (0 | 1)[];
}
export interface TrainConfig {
  sizes: readonly number[];
  trainPoints: number;
  testPoints: number;
  noise: number;
  steps: number;
  learningRate: number;
  dataSeed: number;
  testSeed: number;
  initSeed: number;
  logEvery: number;
}
export interface Progress {
  step: number;
  loss: number;
  trainAccuracy: number;
}
export interface TrainResult {
  params: MlpParams;
  loss: number;
  /** The loss at each step, before that step's update. */
  losses: number[];
  trainSet: Dataset;
  trainAccuracy: number;
  testAccuracy: number;
  seconds: number;
}

export declare const TARGET_ACCURACY: number;
export declare const DEFAULT_CONFIG: Readonly<TrainConfig>;
export declare function mulberry32(seed: number): () => number;
export declare function makeMoons(n: number, options?: { noise?: number; seed?: number }): Dataset;
export declare function initMlp(sizes: readonly number[], seed: number): MlpParams;
export declare function forward(params: MlpParamsNum, x: readonly Num[]): Num;
export declare function loss(params: MlpParamsNum, xs: readonly (readonly number[])[], ys: readonly (0 | 1)[]): Num;
export declare function accuracy(params: MlpParams, xs: readonly (readonly number[])[], ys: readonly (0 | 1)[]): number;
export declare function train(config?: Partial<TrainConfig>, onProgress?: (p: Progress) => void): TrainResult;
