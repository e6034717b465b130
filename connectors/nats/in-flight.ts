/**
 * Bounds how many messages are between "received" and "acknowledged" at once, and lets stop()
 * wait until none is. Many concurrent ingests are what make the store's group commit pay off:
 * each one resolves on the commit that holds it.
 */
export class InFlightWindow {
  private active = 0;
  private readonly waitingForSlot: (() => void)[] = [];
  private readonly waitingForIdle: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get size(): number {
    return this.active;
  }

  /** Resolves once a slot is free and taken. */
  acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waitingForSlot.push(() => {
        this.active += 1;
        resolve();
      });
    });
  }

  /** Takes a slot without waiting; false when the window is full. */
  tryAcquire(): boolean {
    if (this.active >= this.limit) return false;
    this.active += 1;
    return true;
  }

  release(): void {
    this.active -= 1;
    const next = this.waitingForSlot.shift();
    if (next !== undefined) {
      next();
      return;
    }
    if (this.active === 0) for (const resolve of this.waitingForIdle.splice(0)) resolve();
  }

  /** Resolves once nothing is in flight. */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.waitingForIdle.push(resolve));
  }
}
