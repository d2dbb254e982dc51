import type { JourneyProgress } from './funnel';

/** The user's first exposure to one experiment flag; later exposures never change it. */
export interface Exposure {
  readonly variant: string;
  readonly exposedAtMs: number;
  /** Journeys already counted as this user's conversion for this flag (each counts once). */
  readonly convertedJourneys: readonly string[];
}

/** Everything the processor remembers about one user: journey runs in progress and exposures. */
export interface UserState {
  readonly journeys: Readonly<Record<string, JourneyProgress>>;
  readonly exposures: Readonly<Record<string, Exposure>>;
}

export const emptyUserState = (): UserState => ({ journeys: {}, exposures: {} });
