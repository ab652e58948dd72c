/**
 * The one seam between the public loop functions (`index.ts`) and the engine that runs them
 * (`staged.ts`), over the flat form of `spec.ts`.
 */
import type { LoopImpl } from "./spec.js";
import { staged } from "./staged.js";

/** The implementation in use. */
export const loopImpl: LoopImpl = staged;
