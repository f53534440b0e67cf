/**
 * How the app's store watchers (the controller, the method maps) catch up with the store: a change of the
 * watched fields schedules a run; a run repeats the watcher's pass while changes keep arriving, so the
 * latest request wins without cancelling engine calls. A pass is expected to report its own failures; one
 * that throws is a bug, shown as an internal error rather than left as a silent stall.
 */
import { shallow } from 'zustand/shallow';
import type { AppState, AppStore } from './store';
import { describeError } from './user-error';

export class CatchUp {
  private looping = false;
  private dirty = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: AppStore,
    /** The fields whose change may need work. */
    private readonly fields: (s: AppState) => unknown[],
    /** One pass over what is asked now. */
    private readonly pass: () => Promise<void>,
    /** After each run, before whenIdle resolves. */
    private readonly settled: () => void = () => {},
  ) {}

  /** Starts watching the store (and runs once); returns the function that stops it. */
  start(): () => void {
    const stop = this.store.subscribe(this.fields, () => this.schedule(), { equalityFn: shallow });
    this.schedule();
    return stop;
  }

  schedule(): void {
    this.dirty = true;
    if (this.looping) return;
    this.looping = true;
    // Start after the current task: a burst of store updates (e.g. a link applied field by field) is one run.
    queueMicrotask(() => void this.run());
  }

  /** Resolves once every scheduled pass has run. */
  whenIdle(): Promise<void> {
    if (!this.looping) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        await this.pass();
      }
    } catch (e) {
      this.store.getState().pushError(describeError('Internal error', e));
    } finally {
      this.looping = false;
      this.settled();
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
