/** The ingestion API's route, shared by the front door (constructs) and the handler. `ANY`: the handler answers CORS and 405s. */
export const EVENTS_PATH = '/v1/events';

export const INGEST_ROUTES = [`ANY ${EVENTS_PATH}`] as const;
