/**
 * What the controller simulation looks at on its next tick, like a controller's work queue: keys made
 * dirty by a change in the store, plus keys whose own clock runs out (a pod due to start, a minReady
 * period ending, a progress deadline). A tick with nothing dirty and nothing due costs nothing, so an
 * idle cluster is idle whatever its size.
 */
export class WorkQueue {
  private readonly dirty = new Set<string>();
  /** key → earliest time (ms) it must be looked at again though nothing changed. */
  private readonly wakes = new Map<string, number>();

  add(key: string): void {
    this.dirty.add(key);
  }

  /** Look at `key` again at `atMs` (the earlier of this and any wake already set). */
  wakeAt(key: string, atMs: number): void {
    const was = this.wakes.get(key);
    if (was === undefined || atMs < was) this.wakes.set(key, atMs);
  }

  forget(key: string): void {
    this.dirty.delete(key);
    this.wakes.delete(key);
  }

  /** The keys to sync now (dirty, or due by `nowMs`), removed from the queue. */
  take(nowMs: number): string[] {
    const due = new Set(this.dirty);
    this.dirty.clear();
    for (const [key, at] of this.wakes) {
      if (at > nowMs) continue;
      due.add(key);
      this.wakes.delete(key);
    }
    // A key synced now is re-armed by that sync if it still has a clock running.
    for (const key of due) this.wakes.delete(key);
    return [...due];
  }

  get size(): { dirty: number; waiting: number } {
    return { dirty: this.dirty.size, waiting: this.wakes.size };
  }
}
