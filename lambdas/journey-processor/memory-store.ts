import type { CommitResult, LoadedUser, UserChange, UserStore } from './progress-store';
import { emptyUserState } from './user-state';

/**
 * A UserStore in memory with the DynamoDB store's dedupe and conflict rules (no aggregates, so no outbox),
 * for the bench and for trying journeys locally without AWS.
 */
export class MemoryUserStore implements UserStore {
  private readonly users = new Map<string, LoadedUser>();
  private readonly seenMessages = new Set<string>();

  async load(userKey: string): Promise<LoadedUser> {
    return this.users.get(userKey) ?? { state: emptyUserState(), versions: new Map(), outbox: [] };
  }

  async commit(change: UserChange): Promise<CommitResult> {
    // Per user, as the DynamoDB store (table-keys.ts); JSON keeps the pair unambiguous.
    const message = JSON.stringify([change.userKey, change.messageId]);
    if (this.seenMessages.has(message)) return { status: 'duplicate' };
    const current = this.users.get(change.userKey);
    if (current && current !== change.before) return { status: 'conflict' };
    this.seenMessages.add(message);
    this.users.set(change.userKey, { state: change.after, versions: new Map(), outbox: [] });
    return { status: 'committed', outbox: [] };
  }

  async applyOutbox(): Promise<void> {
    // Nothing is ever put in an outbox here.
  }
}
