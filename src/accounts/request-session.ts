import { sha256 } from '../oauth/random-tokens.js';
import type { SessionData, SessionMeta, SessionRecord, SessionStore } from './sessions.js';
import { SESSION_ID_PATTERN, SESSION_IDLE_SECONDS, SESSION_TOUCH_SECONDS, newCsrfToken, newSessionId } from './sessions.js';

/** What the HTTP layer must do with cookies once the request is answered. */
export interface SessionOutcome {
  /** The session as saved, when one exists. */
  data?: SessionData;
  /** A new id to set in the session cookie (a new or regenerated session). */
  newId?: string;
  /** The session was destroyed: clear the cookie. */
  cleared: boolean;
}

/**
 * One request's view of its session: loaded from the store on first use, written back once at
 * the end when something changed (or to keep an idle session alive).
 */
export class RequestSession {
  private loaded = false;
  private id: string | undefined;
  private record: SessionRecord | undefined;
  private dirty = false;
  private issuedId = false;
  private cleared = false;

  constructor(
    private readonly store: SessionStore,
    private readonly cookieId: string | undefined,
    private readonly meta: SessionMeta,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** The existing session, if the cookie names a live one. */
  async get(): Promise<SessionData | undefined> {
    if (!this.loaded) await this.load();
    return this.record?.data;
  }

  /** The existing session, or a new one with a fresh CSRF token. */
  async start(): Promise<SessionData> {
    const existing = await this.get();
    if (existing) return existing;
    this.replace({ csrfToken: newCsrfToken() });
    return (this.record as SessionRecord).data;
  }

  /** Marks the session for saving after the data object was changed in place. */
  changed(): void {
    if (this.record) this.dirty = true;
  }

  /**
   * A new id and a new CSRF token, keeping the data: at login, so an id planted before login
   * (session fixation) is worthless after it. The old session is destroyed.
   */
  async regenerate(): Promise<SessionData> {
    const data = await this.get();
    await this.destroyStored();
    this.replace({ ...data, csrfToken: newCsrfToken() });
    return (this.record as SessionRecord).data;
  }

  /** Ends the session (logout). */
  async destroy(): Promise<void> {
    await this.get();
    await this.destroyStored();
    this.record = undefined;
    this.dirty = false;
    this.issuedId = false;
    this.cleared = this.cookieId !== undefined;
  }

  /** Saves what changed; called once, when the response is sent. */
  async commit(): Promise<SessionOutcome> {
    const outcome: SessionOutcome = { cleared: this.cleared && !this.record };
    if (!this.record || !this.id) return outcome;
    if (this.dirty) {
      this.record.lastActivity = this.now();
      await this.store.write(sha256(this.id), this.record, this.meta);
      this.dirty = false;
    }
    outcome.data = this.record.data;
    if (this.issuedId) outcome.newId = this.id;
    return outcome;
  }

  private async load(): Promise<void> {
    this.loaded = true;
    const id = this.cookieId;
    if (!id || !SESSION_ID_PATTERN.test(id)) return;
    const record = await this.store.read(sha256(id));
    if (!record) return;
    const idle = this.now() - record.lastActivity;
    if (idle > SESSION_IDLE_SECONDS) {
      await this.store.destroy(sha256(id));
      return;
    }
    this.id = id;
    this.record = record;
    // Keep an active session alive without writing on every request.
    if (idle >= SESSION_TOUCH_SECONDS) this.dirty = true;
  }

  private async destroyStored(): Promise<void> {
    if (this.id) await this.store.destroy(sha256(this.id));
  }

  private replace(data: SessionData): void {
    this.id = newSessionId();
    this.record = { data, lastActivity: this.now() };
    this.dirty = true;
    this.issuedId = true;
    this.cleared = false;
  }
}
