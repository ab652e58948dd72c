/**
 * The one seam between the public loop functions (`index.ts`) and the implementation that runs
 * them, over the flat form of `spec.ts`. Today it is the unrolled placeholder of `unrolled.ts`;
 * the loop engine replaces it here.
 */
import type { LoopImpl } from "./spec.js";
import { unrolled } from "./unrolled.js";

/** The implementation in use (the engine swaps it here). */
export const loopImpl: LoopImpl = unrolled;
