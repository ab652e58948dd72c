// Types for progress.mjs (so that test/progress.test.ts type-checks against it).
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}
export interface ProgressLine {
  report(step: number, fields?: Record<string, unknown>): void;
  done(): void;
}
export declare function progressLine(options?: { total?: number; stream?: ProgressStream; now?: () => number }): ProgressLine;
