// Types for docs-pictures.mjs (so that test/docs-pictures.test.ts type-checks against it).
import type { Graph } from "../src/index.js";

/** Where the pictures go: docs/images/. */
export const IMAGES_DIR: string;
/** The graphs drawn into docs/images/, each as `name.svg`. */
export function docsGraphs(): { name: string; title: string; graph: Graph }[];
/** Renders every picture; `file` is relative to IMAGES_DIR. */
export function renderPictures(): Promise<{ file: string; svg: string }[]>;
/** The pictures whose committed file differs from a fresh rendering (or is missing). */
export function stalePictures(dir?: string): Promise<string[]>;
/** Names of the MLP example's pictures (loss curve, decision boundary), each drawn as `name.svg`. */
export const TRAINING_PICTURES: string[];
/** The MLP example's pictures, after its seeded training. */
export function trainingPictures(): { name: string; svg: string }[];
