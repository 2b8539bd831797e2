/**
 * A least-recently-used cache of byte samples within a byte budget, for datasets that stream from
 * disk. All its memory is allocated once: one slab of `slots` samples and a few index arrays
 * (4 bytes per key, 12 per slot); lookups and stores allocate nothing.
 */
export class SampleCache {
  /** How many samples fit in the budget (0: nothing is cached). */
  readonly slots: number;
  /** The slab: slot s holds bytes [s × sampleBytes, (s + 1) × sampleBytes). */
  readonly data: Uint8Array;
  hits = 0;
  misses = 0;
  private readonly slotOfKey: Int32Array;
  private readonly keyOfSlot: Int32Array;
  /** A doubly linked list over slots, most recent first. */
  private readonly newer: Int32Array;
  private readonly older: Int32Array;
  private head = -1;
  private tail = -1;
  private used = 0;

  constructor(
    keys: number,
    readonly sampleBytes: number,
    budgetBytes: number,
  ) {
    this.slots = Math.max(0, Math.min(keys, Math.floor(budgetBytes / Math.max(1, sampleBytes))));
    this.data = new Uint8Array(this.slots * sampleBytes);
    this.slotOfKey = new Int32Array(keys).fill(-1);
    this.keyOfSlot = new Int32Array(this.slots).fill(-1);
    this.newer = new Int32Array(this.slots).fill(-1);
    this.older = new Int32Array(this.slots).fill(-1);
  }

  /** How many samples are held now. */
  get size(): number {
    return this.used;
  }

  /** The byte offset of `key`'s sample in `data`, marking it most recent; −1 when not cached. */
  lookup(key: number): number {
    const slot = this.slotOfKey[key];
    if (slot < 0) {
      this.misses++;
      return -1;
    }
    this.hits++;
    this.touch(slot);
    return slot * this.sampleBytes;
  }

  /** Makes room for `key` (evicting the least recent sample if full) and returns where to write it; −1 with no slots. */
  store(key: number): number {
    if (this.slots === 0) return -1;
    let slot = this.slotOfKey[key];
    if (slot < 0) {
      if (this.used < this.slots) slot = this.used++;
      else {
        slot = this.tail;
        this.slotOfKey[this.keyOfSlot[slot]] = -1;
      }
      this.keyOfSlot[slot] = key;
      this.slotOfKey[key] = slot;
    }
    this.touch(slot);
    return slot * this.sampleBytes;
  }

  private touch(slot: number): void {
    if (this.head === slot) return;
    const newer = this.newer[slot];
    const older = this.older[slot];
    // Unlink (a fresh slot is linked nowhere yet).
    if (newer >= 0) this.older[newer] = older;
    if (older >= 0) this.newer[older] = newer;
    if (this.tail === slot) this.tail = newer >= 0 ? newer : slot;
    // Link at the head.
    this.newer[slot] = -1;
    this.older[slot] = this.head;
    if (this.head >= 0) this.newer[this.head] = slot;
    this.head = slot;
    if (this.tail < 0) this.tail = slot;
  }
}
