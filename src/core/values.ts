/**
 * Storage for one value per graph variable (primal values, cotangents). Values are plain
 * numbers in the common case — the outermost transform over concrete inputs — and then live
 * in a `Float64Array`, outside the garbage-collected heap: a tape of a million values costs
 * 8 MB and no GC copying. The first non-number stored (a traced value of an enclosing
 * transform) switches the store to a plain array, once.
 */
import type { Num } from "./num.js";
import { giveFloat64, takeFloat64 } from "./pool.js";

/**
 * Below this many entries a plain array is cheaper to create (a typed array's memory outside
 * the heap costs microseconds to allocate); above it a typed array is cheaper to grow and costs
 * the garbage collector nothing. Graph buffers switch once, when they reach it.
 */
export const TYPED_FROM = 2048;

export class ValueStore {
  // Exactly one of the three holds the values. Separate fields (rather than one field of either
  // type) keep every load and store monomorphic, which V8 needs to make them fast.
  private small: number[] | undefined;
  private big: Float64Array | undefined;
  private objs: Num[] | undefined;
  length: number;
  private capacity: number;

  /** A store of `length` zeros (cotangents), or an empty one to push into (values). */
  constructor(length = 0) {
    this.small = undefined;
    this.big = undefined;
    this.objs = undefined;
    if (length >= TYPED_FROM) {
      this.big = takeFloat64(length);
      this.big.fill(0, 0, length);
      this.capacity = this.big.length;
    } else {
      this.small = length === 0 ? [] : new Array<number>(length).fill(0);
      this.capacity = TYPED_FROM;
    }
    this.length = length;
  }

  get(i: number): Num {
    if (this.big !== undefined) return this.big[i]!;
    if (this.small !== undefined) return this.small[i]!;
    return this.objs![i]!;
  }

  set(i: number, v: Num): void {
    if (typeof v === "number") {
      if (this.big !== undefined) {
        this.big[i] = v;
        return;
      }
      if (this.small !== undefined) {
        this.small[i] = v;
        return;
      }
    } else if (this.objs === undefined) {
      this.toObjects();
    }
    this.objs![i] = v;
  }

  push(v: Num): void {
    const i = this.length++;
    // The common case first, without the call to set (reverse mode pushes one value per operation).
    if (typeof v === "number" && i < this.capacity) {
      if (this.big !== undefined) {
        this.big[i] = v;
        return;
      }
      if (this.small !== undefined) {
        this.small[i] = v;
        return;
      }
    }
    if (i === this.capacity && this.objs === undefined) {
      const next = takeFloat64(this.capacity * 2);
      this.capacity = next.length;
      if (this.big !== undefined) {
        next.set(this.big.subarray(0, i));
        giveFloat64(this.big);
      } else {
        next.set(this.small!);
      }
      this.big = next;
      this.small = undefined;
    }
    this.set(i, v);
  }

  /** Gives the typed storage back for reuse (see `pool.ts`); the store must not be used again. */
  release(): void {
    if (this.big !== undefined) giveFloat64(this.big);
    this.big = undefined;
    this.small = [];
    this.objs = undefined;
    this.length = 0;
    this.capacity = TYPED_FROM;
  }

  /** True while every value is a plain number. */
  /**
   * The storage itself when every value is a number (read and write it directly: the hot loops
   * of the backward pass do), else undefined. Valid until the next `push` or a non-number `set`.
   */
  numbers(): number[] | Float64Array | undefined {
    return this.objs === undefined ? (this.big ?? this.small) : undefined;
  }

  get concrete(): boolean {
    return this.objs === undefined;
  }

  /** The values as an array. */
  toArray(): Num[] {
    const out = new Array<Num>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }

  private toObjects(): void {
    const objs = new Array<Num>(this.length);
    for (let i = 0; i < this.length; i++) objs[i] = this.get(i);
    this.objs = objs;
    this.small = undefined;
    this.big = undefined;
  }
}
