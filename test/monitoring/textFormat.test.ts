import { describe, expect, it } from 'vitest';
import { ExpositionError, parseExposition, parseSeriesText } from '../../plugins/monitoring/scrape/textFormat.js';

function parseAll(body: string): { text: string; value: number; labels: Record<string, string> }[] {
  const out: { text: string; value: number; labels: Record<string, string> }[] = [];
  parseExposition(body, (text, value, line) => out.push({ text, value, labels: { ...parseSeriesText(text, line) } }));
  return out;
}

describe('the Prometheus text format', () => {
  it('reads counters, gauges and a histogram with HELP and TYPE lines', () => {
    const body = [
      '# HELP http_requests_total Requests served.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="GET",code="200"} 1027 1395066363000',
      'http_requests_total{method="POST",code="400"}    3',
      '# TYPE temperature gauge',
      'temperature -3.5e-1',
      '# TYPE latency_seconds histogram',
      'latency_seconds_bucket{le="0.1"} 5',
      'latency_seconds_bucket{le="+Inf"} 7',
      'latency_seconds_sum 1.25',
      'latency_seconds_count 7',
      '',
    ].join('\n');
    const samples = parseAll(body);
    expect(samples.map((s) => s.value)).toEqual([1027, 3, -0.35, 5, 7, 1.25, 7]);
    expect(samples[0]!.labels).toEqual({ __name__: 'http_requests_total', code: '200', method: 'GET' });
    expect(samples[4]!.labels).toEqual({ __name__: 'latency_seconds_bucket', le: '+Inf' });
  });

  it('unescapes label values and keeps spaces, braces and commas inside them', () => {
    const [sample] = parseAll('msg{text="a \\"quoted\\" {x}, y\\nz \\\\ end",b="2"} 1\n');
    expect(sample!.labels.text).toBe('a "quoted" {x}, y\nz \\ end');
    expect(sample!.labels.b).toBe('2');
  });

  it('reads special values, CRLF line ends, trailing commas and OpenMetrics EOF', () => {
    const samples = parseAll('a NaN\r\nb +Inf\r\nc -Inf\nd{x="1",} 2 # {trace_id="abc"} 1\n# EOF\n');
    expect(Number.isNaN(samples[0]!.value)).toBe(true);
    expect(samples.slice(1).map((s) => s.value)).toEqual([Infinity, -Infinity, 2]);
    expect(samples[3]!.labels).toEqual({ __name__: 'd', x: '1' });
  });

  it('names the line of the first problem', () => {
    const cases: [string, RegExp][] = [
      ['ok 1\nbad{x="1" 2\n', /line 2: label set is not closed/],
      ['ok 1\n\nnovalue\n', /line 3: expected a value/],
      ['a 0x1f\n', /line 1: '0x1f' is not a number/],
      ['a 1 12ab\n', /line 1: '12ab' is not a timestamp/],
      ['# TYPE a sometype\n', /line 1: malformed TYPE line/],
    ];
    for (const [body, message] of cases) expect(() => parseAll(body)).toThrow(message);
  });

  it('rejects bad names and duplicate labels when a series is first seen', () => {
    expect(() => parseSeriesText('1abc', 4)).toThrow(/line 4: '1abc' is not a valid metric name/);
    expect(() => parseSeriesText('a{b="1",b="2"}', 1)).toThrow(/label 'b' appears twice/);
    expect(() => parseSeriesText('a{b=1}', 1)).toThrow(/must be in double quotes/);
    expect(() => parseSeriesText('a{b="\\q"}', 1)).toThrow(/unknown escape/);
  });

  it('turns binary garbage into an ExpositionError, not a crash', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    expect(() => parseAll(garbage)).toThrow(ExpositionError);
    expect(() => parseAll('<html><body>Not Found</body></html>')).toThrow(ExpositionError);
  });
});
