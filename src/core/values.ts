/**
 * Storage for one value per graph variable (primal values, cotangents). Values are plain
 * numbers in the common case — the outermost transform over concrete inputs — and then live
 * in a `Float64Array`, outside the garbage-collected heap: a tape of a million values costs
 * 8 MB and no GC copying. The first non-number stored (a traced value of an enclosing
 * transform) switches the store to a plain array, once.
 */
import type { Num } from "./num.js";

export class ValueStore {
  private nums: Float64Array | undefined;
  private objs: Num[] | undefined;
  length: number;
  private capacity: number;

  /** A store of `length` zeros (cotangents), or an empty one to push into (values). */
  constructor(length = 0) {
    this.capacity = Math.max(length, 64);
    this.nums = new Float64Array(this.capacity);
    this.objs = undefined;
    this.length = length;
  }

  get(i: number): Num {
    return this.objs === undefined ? this.nums![i]! : this.objs[i]!;
  }

  set(i: number, v: Num): void {
    if (this.objs === undefined) {
      if (typeof v === "number") {
        this.nums![i] = v;
        return;
      }
      this.toObjects();
    }
    this.objs![i] = v;
  }

  push(v: Num): void {
    const i = this.length++;
    if (i === this.capacity && this.objs === undefined) {
      this.capacity *= 2;
      const next = new Float64Array(this.capacity);
      next.set(this.nums!);
      this.nums = next;
    }
    this.set(i, v);
  }

  /** True while every value is a plain number. */
  get concrete(): boolean {
    return this.objs === undefined;
  }

  /** The values as an array. */
  toArray(): Num[] {
    if (this.objs !== undefined) return this.objs.slice(0, this.length);
    return Array.from(this.nums!.subarray(0, this.length));
  }

  private toObjects(): void {
    const objs = new Array<Num>(this.length);
    for (let i = 0; i < this.length; i++) objs[i] = this.nums![i]!;
    this.objs = objs;
    this.nums = undefined;
  }
}
