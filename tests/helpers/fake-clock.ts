/** A clock that moves only when the test moves it, for code that takes `now: () => number`. */
export interface FakeClock {
  /** The reading, in ms since 1970; pass as `now`. */
  now: () => number;
  /** How many times `now` was read. */
  readonly reads: number;
  set(ms: number): void;
  advance(ms: number): void;
}

/** A fake clock reading `startMs` until set or advanced. */
export function fakeClock(startMs: number): FakeClock {
  let current = startMs;
  let reads = 0;
  return {
    now: () => {
      reads += 1;
      return current;
    },
    get reads() {
      return reads;
    },
    set(ms) {
      current = ms;
    },
    advance(ms) {
      current += ms;
    },
  };
}
