/**
 * The flag API's routes, shared by the front door (constructs) and the handler: OFREP's bulk and single-flag
 * evaluation. `ANY`, so preflights (OPTIONS) and wrong methods reach the handler, which answers CORS and 405s itself.
 */
export const OFREP_BASE_PATH = '/ofrep/v1/evaluate/flags';

export const FLAG_ROUTES = [`ANY ${OFREP_BASE_PATH}`, `ANY ${OFREP_BASE_PATH}/{key}`] as const;
