/**
 * Translates a checked stats request into the store's AggregateQuery parts: store metrics,
 * filters (with bot handling) and ordering. The site always comes from the authorized request,
 * never from a filter, so no request can reach another site's rows.
 */
import type { AggregateFilter, AggregateOrder, AggregateQuery, Metric } from '../../../core/services/analytics/aggregateQuery.js';
import { BREAKDOWNS, METRIC_SOURCES, TIME_KEY, type ApiMetric } from './apiVocabulary.js';
import type { StatsFilter } from './statsFilters.js';
import type { StatsOrder, StatsRequest } from './statsRequest.js';

/** The parts of every store query of one request. */
export type QueryBase = Pick<AggregateQuery, 'site' | 'metrics' | 'filters' | 'humansOnly'>;

/** The store metrics needed to compute the API metrics, without repeats. */
export function storeMetrics(metrics: readonly ApiMetric[]): Metric[] {
  return [...new Set(metrics.flatMap((metric) => METRIC_SOURCES[metric]))];
}

function storeFilter(filter: StatsFilter): AggregateFilter[] {
  const dimension = BREAKDOWNS[filter.dimension];
  const [first] = filter.values;
  if (filter.op === 'contains') return [{ dimension, op: 'contains', value: first as string }];
  if (filter.op === 'is') {
    return filter.values.length === 1 ? [{ dimension, op: 'eq', value: first! }] : [{ dimension, op: 'in', value: filter.values }];
  }
  return filter.values.map((value) => ({ dimension, op: 'neq', value }));
}

/** The site, metrics, filters and bot handling shared by a request's store queries. */
export function queryBase(request: StatsRequest): QueryBase {
  const filters = request.filters.flatMap(storeFilter);
  if (request.bots === 'only') filters.push({ dimension: 'bot', op: 'eq', value: 1 });
  return { site: request.site, metrics: storeMetrics(request.metrics), filters, humansOnly: request.bots === 'exclude' };
}

/** The order a request is answered in: as asked, else time ascending, else the first metric descending. */
export function effectiveOrder(request: StatsRequest): StatsOrder[] {
  if (request.order.length > 0) return [...request.order];
  if (request.time) return [{ by: TIME_KEY, direction: 'asc' }];
  return [{ by: request.metrics[0]!, direction: 'desc' }];
}

/** True when the order needs a metric the store cannot sort by (a ratio computed here). */
export function needsCodeSort(order: readonly StatsOrder[]): boolean {
  return order.some((key) => key.by === 'error_rate');
}

/**
 * The store's ordering for an order the store can sort by. `withBucket` false drops `time`
 * (a query for one bucket has no bucket key).
 */
export function storeOrder(order: readonly StatsOrder[], withBucket: boolean): AggregateOrder[] {
  const keys: AggregateOrder[] = [];
  for (const key of order) {
    if (key.by === TIME_KEY) {
      if (withBucket) keys.push({ by: 'bucket', direction: key.direction });
    } else if (Object.hasOwn(BREAKDOWNS, key.by)) {
      keys.push({ by: BREAKDOWNS[key.by as keyof typeof BREAKDOWNS], direction: key.direction });
    } else {
      keys.push({ by: key.by as Metric, direction: key.direction });
    }
  }
  return keys;
}
