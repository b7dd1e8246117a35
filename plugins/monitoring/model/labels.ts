/**
 * Label sets: plain frozen objects whose keys are sorted by name, so iteration order, keys and
 * fingerprints are canonical. An empty value means "no such label", as in Prometheus.
 */

/** A label set. Keys are in ascending order; no value is empty. */
export type Labels = Readonly<Record<string, string>>;

/** The label that holds a series' metric name. */
export const METRIC_NAME = '__name__';

/** The empty label set. */
export const EMPTY_LABELS: Labels = Object.freeze({});

const SEPARATOR = '\xff';

/** Builds a canonical label set from name/value pairs; empty values are dropped. */
export function makeLabels(pairs: Iterable<readonly [string, string]> | Readonly<Record<string, string>>): Labels {
  const entries = Symbol.iterator in pairs ? [...(pairs as Iterable<readonly [string, string]>)] : Object.entries(pairs);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Record<string, string> = {};
  for (const [name, value] of entries) if (value !== '') out[name] = value;
  return Object.freeze(out);
}

/** A string that identifies a label set exactly; usable as a Map key. */
export function labelsKey(labels: Labels): string {
  let key = '';
  for (const name in labels) key += name + SEPARATOR + labels[name] + SEPARATOR;
  return key;
}

// Label sets of stored series are the same objects from one evaluation to the next, so what is
// derived from them (signatures, the set without its name) is computed once per set.
const signatures = new WeakMap<Labels, Map<ReadonlySet<string>, string>>();
const withoutName = new WeakMap<Labels, Labels>();

/** The key of the subset of `labels` named in `names` (`on(...)`/`by(...)`) or not named (`ignoring`/`without`). */
export function signature(labels: Labels, names: ReadonlySet<string>, include: boolean): string {
  let cached = signatures.get(labels);
  const hit = cached?.get(names);
  if (hit !== undefined) return hit;
  let key = include ? '+' : '-';
  for (const name in labels) {
    if (names.has(name) === include) key += name + SEPARATOR + labels[name] + SEPARATOR;
  }
  if (!cached) signatures.set(labels, (cached = new Map()));
  cached.set(names, key);
  return key;
}

/** The label set without its metric name. */
export function dropMetricName(labels: Labels): Labels {
  if (!(METRIC_NAME in labels)) return labels;
  let out = withoutName.get(labels);
  if (out) return out;
  const pairs: Record<string, string> = {};
  for (const name in labels) if (name !== METRIC_NAME) pairs[name] = labels[name]!;
  out = Object.freeze(pairs);
  withoutName.set(labels, out);
  return out;
}

/** Only the labels named in `names` (include = true), or all but those (include = false). */
export function pickLabels(labels: Labels, names: ReadonlySet<string>, include: boolean): Labels {
  const out: Record<string, string> = {};
  for (const name in labels) if (names.has(name) === include) out[name] = labels[name]!;
  return Object.freeze(out);
}

/** A copy of `labels` with `name` set to `value` (or removed when `value` is empty). */
export function withLabel(labels: Labels, name: string, value: string): Labels {
  const pairs: [string, string][] = [];
  for (const key in labels) if (key !== name) pairs.push([key, labels[key]!]);
  pairs.push([name, value]);
  return makeLabels(pairs);
}

/** Orders label sets as Prometheus does (by sorted name/value pairs, then length). */
export function compareLabels(a: Labels, b: Labels): number {
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  const n = Math.min(ak.length, bk.length);
  for (let i = 0; i < n; i++) {
    if (ak[i] !== bk[i]) return ak[i]! < bk[i]! ? -1 : 1;
    const av = a[ak[i]!]!;
    const bv = b[bk[i]!]!;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return ak.length - bk.length;
}

/** Prints a series the PromQL way: `name{a="b", c="d"}`. */
export function formatSeries(labels: Labels): string {
  const name = labels[METRIC_NAME] ?? '';
  const inner = Object.keys(labels)
    .filter((key) => key !== METRIC_NAME)
    .map((key) => `${key}=${JSON.stringify(labels[key])}`)
    .join(', ');
  return inner || !name ? `${name}{${inner}}` : name;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/**
 * The fingerprint Prometheus and Alertmanager give a label set (FNV-1a 64 over sorted
 * `name 0xff value 0xff`), as 16 lower-case hex digits. Used in the webhook payload.
 */
export function fingerprint(labels: Labels): string {
  let hash = FNV_OFFSET;
  for (const name in labels) {
    for (const part of [name, labels[name]!]) {
      for (const byte of Buffer.from(part, 'utf8')) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
      hash = ((hash ^ 0xffn) * FNV_PRIME) & MASK_64;
    }
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * Alertmanager's `LabelSet.Before`: shorter sets first, then the first differing pair over the
 * union of names decides.
 */
export function labelSetBefore(a: Labels, b: Labels): boolean {
  const an = Object.keys(a).length;
  const bn = Object.keys(b).length;
  if (an !== bn) return an < bn;
  const names = [...Object.keys(a), ...Object.keys(b)].sort();
  for (const name of names) {
    const av = a[name];
    if (av === undefined) return true;
    const bv = b[name];
    if (bv === undefined) return false;
    if (av !== bv) return av < bv;
  }
  return false;
}
