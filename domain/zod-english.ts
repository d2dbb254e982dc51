/**
 * The Lambda validates with `zod/mini` (tree-shakes to ~15 KB; classic zod bundles to ~85 KB+),
 * which ships without messages: load the English ones once. Import for its side effect.
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());
