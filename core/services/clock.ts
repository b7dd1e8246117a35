/** The time as Hearth sees it. Injected, so tests can fix or move it. */
export interface Clock {
  /** The current time. */
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = Object.freeze({ now: () => new Date() });

/** A clock that only moves when told to; for tests and simulations. */
export class ManualClock implements Clock {
  #ms: number;

  constructor(start: Date | number = 0) {
    this.#ms = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.#ms);
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a clock only moves forward');
    this.#ms += ms;
  }

  /** Sets the clock to an absolute time (forward only). */
  set(time: Date | number): void {
    const ms = typeof time === 'number' ? time : time.getTime();
    this.advance(ms - this.#ms);
  }
}
