import type { JourneyProgress } from './funnel';

/** The user's first exposure to one experiment flag; later exposures never change it. */
export interface Exposure {
  readonly variant: string;
  readonly exposedAtMs: number;
  /** Journeys already counted as this user's conversion for this flag (each counts once). */
  readonly convertedJourneys: readonly string[];
}

/**
 * Everything the processor remembers about one user: journey runs in progress and exposures, by journey
 * and flag name. Maps, not plain objects: `constructor` or `__proto__` are valid names, and an object
 * would answer them with what it inherits.
 */
export interface UserState {
  readonly journeys: ReadonlyMap<string, JourneyProgress>;
  readonly exposures: ReadonlyMap<string, Exposure>;
}

export const emptyUserState = (): UserState => ({ journeys: new Map(), exposures: new Map() });
