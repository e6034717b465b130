/**
 * Gathers items into batches and hands them on one batch at a time: everything that arrives in
 * one turn of the event loop goes into one call (storing a batch costs about as much as storing
 * one item, so a busy sender gets large batches, a quiet one prompt single items), and while a
 * batch is being handed on, new items wait and go together into the next one.
 */
export interface BatchPumpOptions<T> {
  /** Hands a batch on. Must not reject; the pump goes on with the next batch either way. */
  deliver(batch: T[]): Promise<void>;
  /** A delivery starts while none was running: the moment to stop the source (backpressure). */
  onBusy?(): void;
  /** The last delivery ended and nothing is waiting: the moment to let the source go on. */
  onIdle?(): void;
}

export class BatchPump<T> {
  private pending: T[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private busy = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: BatchPumpOptions<T>) {}

  /** Items waiting for the next batch. */
  get waiting(): number {
    return this.pending.length;
  }

  add(items: readonly T[]): void {
    if (items.length === 0) return;
    for (const item of items) this.pending.push(item);
    // setImmediate runs after the I/O callbacks of this turn, so everything read in it is gathered.
    if (!this.busy && !this.scheduled) this.scheduled = setImmediate(() => this.flush());
  }

  /** Resolves once nothing is waiting and no delivery runs. */
  whenIdle(): Promise<void> {
    if (!this.busy && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private flush(): void {
    this.scheduled = undefined;
    const batch = this.pending;
    this.pending = [];
    if (!this.busy) {
      this.busy = true;
      this.options.onBusy?.();
    }
    const next = () => {
      if (this.pending.length > 0) {
        this.flush();
        return;
      }
      this.busy = false;
      this.options.onIdle?.();
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    };
    this.options.deliver(batch).then(next, next);
  }
}
