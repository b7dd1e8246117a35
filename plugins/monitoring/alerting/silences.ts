/**
 * Silences, as in Alertmanager: a set of matchers and a time window during which matching alerts
 * are not notified. Kept in `silences.json` in the plugin's data directory, so they survive a
 * restart; expired silences are kept five days for reference, then dropped.
 */
import { randomUUID } from 'node:crypto';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { Labels } from '../model/labels.js';
import { makeMatcher, matchesAll, type Matcher } from '../model/matcher.js';
import type { StateFile } from '../state/stateFile.js';

/** A matcher as Alertmanager's API writes it. */
export interface SilenceMatcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  readonly isEqual: boolean;
}

/** A stored silence. Times are milliseconds since the epoch. */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly SilenceMatcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** Where a silence is in its life. */
export type SilenceState = 'pending' | 'active' | 'expired';

/** Limits on what a client may store. */
const LIMITS = Object.freeze({
  /** Silences kept at once (all states), so a client loop cannot fill the disk. */
  silences: 10_000,
  /** Matchers per silence. */
  matchers: 64,
  /** Characters in a matcher value, `createdBy` and `comment`. */
  value: 1024,
  createdBy: 256,
  comment: 4096,
  /** How long an expired silence is still listed, as in Alertmanager (five days). */
  retentionMs: 5 * 24 * 3600_000,
});
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The state of a silence at `now`. */
export function silenceState(silence: Silence, now: number): SilenceState {
  if (now < silence.startsAt) return 'pending';
  return now < silence.endsAt ? 'active' : 'expired';
}

/** The persisted set of silences. */
export class Silences {
  readonly #file: StateFile<Silence[]>;
  #items = new Map<string, { silence: Silence; matchers: Matcher[] }>();

  private constructor(file: StateFile<Silence[]>) {
    this.#file = file;
  }

  /** Loads the silences saved in `file` (none when it does not exist yet). */
  static async open(file: StateFile<Silence[]>): Promise<Silences> {
    const silences = new Silences(file);
    const saved = (await file.read((raw) => (raw as Silence[]).map((s) => validateSilence(s, 0, s.id, true)))) ?? [];
    for (const silence of saved) silences.#items.set(silence.id, { silence, matchers: compile(silence.matchers) });
    return silences;
  }

  /** Every silence, newest first. */
  list(): Silence[] {
    return [...this.#items.values()].map((i) => i.silence).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** One silence by id. */
  get(id: string): Silence | undefined {
    return this.#items.get(id)?.silence;
  }

  /** Ids of the active silences that mute an alert with `labels`. */
  mutedBy(labels: Labels, now: number): string[] {
    const ids: string[] = [];
    for (const { silence, matchers } of this.#items.values()) {
      if (silenceState(silence, now) === 'active' && matchesAll(matchers, labels)) ids.push(silence.id);
    }
    return ids;
  }

  /** Creates a silence (or replaces a pending/active one when `input.id` names it). */
  async add(input: unknown, now: number): Promise<Silence> {
    const id = typeof (input as { id?: unknown })?.id === 'string' ? (input as { id: string }).id : '';
    const existing = id ? this.#items.get(id) : undefined;
    if (id && !existing) throw new HearthError('HEARTH_ERR_MONITORING_NOT_FOUND', `no silence has the id '${id}'; omit the id to create a new one`);
    if (existing && silenceState(existing.silence, now) === 'expired') {
      throw new HearthError('HEARTH_ERR_MONITORING_SILENCE', `silence '${id}' has expired and cannot be changed; create a new one`);
    }
    this.gc(now);
    if (!existing && this.#items.size >= LIMITS.silences) {
      throw new HearthError('HEARTH_ERR_MONITORING_SILENCE', `there are already ${LIMITS.silences} silences; expire some first`);
    }
    const silence = validateSilence(input, now, existing ? id : randomUUID(), false);
    this.#items.set(silence.id, { silence, matchers: compile(silence.matchers) });
    await this.#save();
    return silence;
  }

  /** Ends a silence now (a pending one never starts). */
  async expire(id: string, now: number): Promise<Silence> {
    const item = this.#items.get(id);
    if (!item) throw new HearthError('HEARTH_ERR_MONITORING_NOT_FOUND', `no silence has the id '${id}' (list them with 'hearth silence list')`);
    const state = silenceState(item.silence, now);
    if (state === 'expired') return item.silence;
    const silence = { ...item.silence, startsAt: state === 'pending' ? now : item.silence.startsAt, endsAt: now, updatedAt: now };
    this.#items.set(id, { silence, matchers: item.matchers });
    await this.#save();
    return silence;
  }

  /** Drops silences expired for longer than the retention. Returns true when some were dropped. */
  gc(now: number): boolean {
    let dropped = false;
    for (const [id, { silence }] of this.#items) {
      if (silence.endsAt + LIMITS.retentionMs < now) {
        this.#items.delete(id);
        dropped = true;
      }
    }
    return dropped;
  }

  /** Saves the current set (after a gc that dropped some, for example). */
  async persist(): Promise<void> {
    await this.#save();
  }

  async #save(): Promise<void> {
    await this.#file.write(this.list());
  }
}

function compile(matchers: readonly SilenceMatcher[]): Matcher[] {
  return matchers.map((m) => makeMatcher(m.name, m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=', m.value));
}

function fail(message: string): never {
  throw new HearthError('HEARTH_ERR_MONITORING_SILENCE', message);
}

/** Checks a silence from a client (or from the state file, with `stored`). */
function validateSilence(input: unknown, now: number, id: string, stored: boolean): Silence {
  if (typeof input !== 'object' || input === null) fail('a silence must be a JSON object');
  const raw = input as Record<string, unknown>;
  if (!Array.isArray(raw.matchers) || raw.matchers.length === 0) fail("a silence needs at least one matcher in 'matchers'");
  if (raw.matchers.length > LIMITS.matchers) fail(`a silence has at most ${LIMITS.matchers} matchers`);
  const matchers = raw.matchers.map((m: unknown, i: number): SilenceMatcher => {
    const { name, value, isRegex, isEqual } = (m ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || !LABEL_NAME.test(name)) fail(`matcher ${i + 1}: '${String(name)}' is not a label name`);
    if (typeof value !== 'string' || value.length > LIMITS.value) fail(`matcher ${i + 1}: 'value' must be a string of at most ${LIMITS.value} characters`);
    return { name, value, isRegex: isRegex === true, isEqual: isEqual !== false };
  });
  let compiled: Matcher[] = [];
  try {
    compiled = compile(matchers);
  } catch (error) {
    fail(`invalid matcher: ${(error as Error).message}`);
  }
  if (compiled.every((m) => m.matchesEmpty)) fail('at least one matcher must not match the empty string, or the silence would mute every alert');
  const time = (field: 'startsAt' | 'endsAt', fallback?: number): number => {
    const value = raw[field];
    if (value === undefined && fallback !== undefined) return fallback;
    const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
    if (!Number.isFinite(ms)) fail(`'${field}' must be an RFC 3339 time like 2024-05-01T12:00:00Z`);
    return ms;
  };
  let startsAt = time('startsAt', now);
  const endsAt = time('endsAt');
  if (!stored && startsAt < now) startsAt = now;
  if (endsAt <= startsAt) fail(`'endsAt' (${new Date(endsAt).toISOString()}) must be after 'startsAt' (${new Date(startsAt).toISOString()})`);
  const text = (field: 'createdBy' | 'comment', max: number): string => {
    const value = raw[field];
    if (typeof value !== 'string' || value.trim() === '' || value.length > max) fail(`'${field}' is required (at most ${max} characters)`);
    return value;
  };
  const updatedAt = stored && typeof raw.updatedAt === 'number' ? raw.updatedAt : now;
  return Object.freeze({ id, matchers, startsAt, endsAt, updatedAt, createdBy: text('createdBy', LIMITS.createdBy), comment: text('comment', LIMITS.comment) });
}
