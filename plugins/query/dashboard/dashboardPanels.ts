/**
 * The dashboard's panels and the stats request each one makes. One list, used by the page's
 * script (embedded as JSON), by the tests that compare the page with the API, and by
 * bench/query.ts, which times exactly these requests.
 */
import type { RangePreset } from '../time/dateRange.js';
import type { ApiDimension, ApiMetric, BotMode } from '../api/apiVocabulary.js';

/** The part of a stats request a panel fixes (the page adds site, range, timezone and bots). */
export interface PanelQuery {
  readonly metrics: readonly ApiMetric[];
  readonly dimensions: readonly (ApiDimension | 'time:auto')[];
  readonly filters?: readonly { readonly dimension: string; readonly op: string; readonly value: string | number }[];
  readonly order?: readonly { readonly by: string; readonly direction: 'asc' | 'desc' }[];
  readonly limit?: number;
  readonly totals?: boolean;
}

/** One panel: a chart over time or a top-ten table. */
export interface Panel {
  readonly id: string;
  readonly title: string;
  readonly kind: 'series' | 'table';
  /** The table's first column heading. */
  readonly keyLabel?: string;
  readonly query: PanelQuery;
}

/** Rows of each table. */
const TOP = 10;

/**
 * The panels, top to bottom. `time:auto` becomes the range's bucket (see {@link BUCKET_OF_RANGE}).
 * The page's headline numbers are the series' totals; the tables do not ask for theirs.
 */
export const DASHBOARD_PANELS: readonly Panel[] = [
  {
    id: 'series',
    title: 'Visitors and pageviews',
    kind: 'series',
    query: { metrics: ['visitors', 'pageviews', 'requests', 'bytes', 'error_rate'], dimensions: ['time:auto'], limit: 1000 },
  },
  { id: 'pages', title: 'Top pages', kind: 'table', keyLabel: 'Page', query: { metrics: ['visitors', 'pageviews'], dimensions: ['path'], order: [{ by: 'pageviews', direction: 'desc' }], limit: TOP, totals: false } },
  {
    id: 'referrers',
    title: 'Referrers',
    kind: 'table',
    keyLabel: 'Referrer',
    query: { metrics: ['visitors', 'pageviews'], dimensions: ['referrer'], filters: [{ dimension: 'referrer', op: 'is_not', value: '' }], limit: TOP, totals: false },
  },
  { id: 'countries', title: 'Countries', kind: 'table', keyLabel: 'Country', query: { metrics: ['visitors'], dimensions: ['country'], limit: TOP, totals: false } },
  { id: 'devices', title: 'Devices', kind: 'table', keyLabel: 'Device', query: { metrics: ['visitors'], dimensions: ['device'], limit: TOP, totals: false } },
  { id: 'statuses', title: 'Status codes', kind: 'table', keyLabel: 'Status', query: { metrics: ['requests'], dimensions: ['status'], limit: TOP, totals: false } },
  {
    id: 'bandwidth',
    title: 'Bandwidth by file type',
    kind: 'table',
    keyLabel: 'File type',
    query: { metrics: ['bytes', 'requests'], dimensions: ['file_type'], order: [{ by: 'bytes', direction: 'desc' }], limit: TOP, totals: false },
  },
];

/** The time bucket each range is drawn with. */
export const BUCKET_OF_RANGE: Readonly<Record<RangePreset, ApiDimension>> = {
  today: 'time:hour',
  '7d': 'time:day',
  '30d': 'time:day',
  month: 'time:day',
  '12mo': 'time:month',
};

/** The request body a panel sends for a site, range, zone and bot mode. */
export function panelRequest(panel: Panel, site: string, range: RangePreset, timezone: string, bots: BotMode): Record<string, unknown> {
  const dimensions = panel.query.dimensions.map((dimension) => (dimension === 'time:auto' ? BUCKET_OF_RANGE[range] : dimension));
  return { site, range, timezone, bots, ...panel.query, dimensions };
}
