/**
 * Which flags client keys see. A client key is embedded in browsers and apps, so anyone can read it: it evaluates
 * only flags whose own metadata has `"clientVisible": true` (LaunchDarkly serves client-side SDKs only the flags
 * marked for them, likewise). Server keys see every flag.
 */
import type { CompiledFlag, CompiledFlagSet } from './types';

/** The flag metadata entry that shows a flag to client keys. */
export const CLIENT_VISIBLE = 'clientVisible';

const views = new WeakMap<CompiledFlagSet, CompiledFlagSet>();

/**
 * The set as a client key sees it: the other flags are absent, so they answer FLAG_NOT_FOUND exactly as a flag that
 * does not exist. Same metadata and revision. Built once per set (sets are replaced, never changed).
 */
export function clientVisibleSet(set: CompiledFlagSet): CompiledFlagSet {
  let view = views.get(set);
  if (view === undefined) {
    const flags = new Map<string, CompiledFlag>();
    for (const [key, flag] of set.flags) if (flag.clientVisible === true) flags.set(key, flag);
    view = { flags, metadata: set.metadata, revision: set.revision, issues: set.issues };
    views.set(set, view);
  }
  return view;
}
