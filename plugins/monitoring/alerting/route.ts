/**
 * Alertmanager's routing tree: a depth-first, left-to-right search for the deepest matching
 * routes (all of them where `continue: true`), with options inherited from the parent and the
 * route key that goes into each notification's groupKey.
 */
import { parseDuration } from '../duration.js';
import type { Labels } from '../model/labels.js';
import { compareMatchers, formatMatcher, makeMatcher, matchesAll, parseMatcher, type Matcher } from '../model/matcher.js';

/** A route as written in the config (Alertmanager's field names). */
export interface RouteConfig {
  readonly receiver?: string;
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly matchers?: readonly string[];
  readonly match?: Readonly<Record<string, string>>;
  readonly match_re?: Readonly<Record<string, string>>;
  readonly continue?: boolean;
  readonly routes?: readonly RouteConfig[];
}

/** A resolved route node. */
export interface Route {
  readonly parent: Route | undefined;
  readonly matchers: readonly Matcher[];
  readonly continue: boolean;
  readonly receiver: string;
  readonly groupBy: ReadonlySet<string>;
  readonly groupByAll: boolean;
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly routes: readonly Route[];
  /** Alertmanager's route key: parent keys and this route's matchers, e.g. `{}/{severity="critical"}`. */
  readonly key: string;
}

/** Alertmanager's defaults for the root route. */
export const ROUTE_DEFAULTS = Object.freeze({
  /** Wait before the first notification of a new group, to collect alerts that fire together. */
  groupWaitMs: 30_000,
  /** Wait between notifications about changes to a group. */
  groupIntervalMs: 5 * 60_000,
  /** Re-send an unchanged, still-firing group this often. */
  repeatIntervalMs: 4 * 3600_000,
});

/** Builds the tree, collecting every problem into `errors` (paths like `route.routes[1]`). */
export function buildRouteTree(config: RouteConfig, receivers: ReadonlySet<string>, errors: string[]): Route {
  if (!config.receiver) errors.push("route: the root route needs a 'receiver'");
  if (config.matchers?.length || Object.keys(config.match ?? {}).length || Object.keys(config.match_re ?? {}).length) {
    errors.push('route: the root route must not have matchers');
  }
  if (config.continue) errors.push("route: the root route cannot use 'continue'");
  return build(config, undefined, 'route', receivers, errors);
}

function build(config: RouteConfig, parent: Route | undefined, path: string, receivers: ReadonlySet<string>, errors: string[]): Route {
  const duration = (text: string | undefined, field: string, inherited: number): number => {
    if (text === undefined) return inherited;
    const ms = parseDuration(text);
    if (ms === undefined || (ms === 0 && field !== 'group_wait')) {
      errors.push(`${path}.${field}: '${text}' is not a ${field === 'group_wait' ? '' : 'positive '}duration like 30s or 5m`);
      return inherited;
    }
    return ms;
  };
  const matchers: Matcher[] = [];
  const add = (make: () => Matcher, where: string): void => {
    try {
      matchers.push(make());
    } catch (error) {
      errors.push(`${path}.${where}: ${(error as Error).message}`);
    }
  };
  for (const [name, value] of Object.entries(config.match ?? {})) add(() => makeMatcher(name, '=', value), `match.${name}`);
  for (const [name, value] of Object.entries(config.match_re ?? {})) add(() => makeMatcher(name, '=~', value), `match_re.${name}`);
  (config.matchers ?? []).forEach((text, i) => add(() => parseMatcher(text), `matchers[${i}]`));
  matchers.sort(compareMatchers);
  const receiver = config.receiver ?? parent?.receiver ?? '';
  if (config.receiver !== undefined && !receivers.has(config.receiver)) {
    errors.push(`${path}.receiver: no receiver is named '${config.receiver}' (have: ${[...receivers].join(', ') || 'none'})`);
  }
  const groupByAll = config.group_by ? config.group_by.includes('...') : (parent?.groupByAll ?? false);
  if (config.group_by?.includes('...') && config.group_by.length > 1) errors.push(`${path}.group_by: '...' must be the only entry`);
  const own = `{${matchers.map(formatMatcher).join(',')}}`;
  const children: Route[] = [];
  const node: Route = {
    parent,
    matchers,
    continue: config.continue ?? false,
    receiver,
    groupBy: config.group_by ? new Set(config.group_by.filter((l) => l !== '...')) : (parent?.groupBy ?? new Set()),
    groupByAll,
    groupWaitMs: duration(config.group_wait, 'group_wait', parent?.groupWaitMs ?? ROUTE_DEFAULTS.groupWaitMs),
    groupIntervalMs: duration(config.group_interval, 'group_interval', parent?.groupIntervalMs ?? ROUTE_DEFAULTS.groupIntervalMs),
    repeatIntervalMs: duration(config.repeat_interval, 'repeat_interval', parent?.repeatIntervalMs ?? ROUTE_DEFAULTS.repeatIntervalMs),
    routes: children,
    key: parent ? `${parent.key}/${own}` : own,
  };
  (config.routes ?? []).forEach((child, i) => children.push(build(child, node, `${path}.routes[${i}]`, receivers, errors)));
  return node;
}

/** The routes an alert with `labels` goes to (Alertmanager's `Route.Match`). */
export function matchRoutes(route: Route, labels: Labels): Route[] {
  if (!matchesAll(route.matchers, labels)) return [];
  const all: Route[] = [];
  for (const child of route.routes) {
    const matches = matchRoutes(child, labels);
    all.push(...matches);
    if (matches.length > 0 && !child.continue) break;
  }
  return all.length > 0 ? all : [route];
}

/** The labels of `labels` that a route groups by. */
export function groupLabelsFor(route: Route, labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const name in labels) if (route.groupByAll || route.groupBy.has(name)) out[name] = labels[name]!;
  return Object.freeze(out);
}
