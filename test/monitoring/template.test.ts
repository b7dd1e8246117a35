import { describe, expect, it } from 'vitest';
import { formatGoFloat, formatGoG, goQuote, goSprintf } from '../../plugins/monitoring/template/goFormat.js';
import { Template, TemplateError } from '../../plugins/monitoring/template/template.js';

describe("Go's number printing, as alert annotations show values", () => {
  it('prints %v the way Go does (exponent from 1e+06 and below 1e-04)', () => {
    const cases: [number, string][] = [
      [0, '0'], [0.5, '0.5'], [100, '100'], [123456, '123456'], [1e6, '1e+06'], [1234567, '1.234567e+06'],
      [0.0001, '0.0001'], [0.00001, '1e-05'], [608863452348.1149, '6.088634523481149e+11'], [-3.25, '-3.25'],
      [NaN, 'NaN'], [Infinity, '+Inf'], [-Infinity, '-Inf'],
    ];
    for (const [value, text] of cases) expect(formatGoFloat(value)).toBe(text);
  });

  it('prints %.4g, printf and %q like Go', () => {
    expect([1, 1.5, 100, 12345, 0.000123456].map((v) => formatGoG(v, 4))).toEqual(['1', '1.5', '100', '1.234e+04', '0.0001235']);
    expect(goSprintf('%.2f%% of %s (%d) %5s|%-4s|', [12.345, 'disk', 7.9, 'ab', 'c'])).toBe('12.35% of disk (7)    ab|c   |');
    expect(goQuote('a "b"\n\u00e9\u0001')).toBe('"a \\"b\\"\\né\\x01"');
  });
});

describe('annotation and message templates', () => {
  const data = { Labels: { host: 'services', instance: '10.0.0.2:8080' }, Value: 0.0734 };
  const render = (text: string): string => new Template(text).render(data, { labels: data.Labels, value: data.Value });

  it('expand labels, the value and the helpers Prometheus offers', () => {
    expect(render('{{ $labels.host }} at {{ $value | humanizePercentage }} ({{ $value }})')).toBe('services at 7.34% (0.0734)');
    expect(render('{{ humanize 1234567 }} {{ humanize1024 1048576 }} {{ humanizeDuration 90061 }} {{ humanizeDuration 0.25 }}')).toBe('1.235M 1Mi 1d 1h 1m 1s 250ms');
    expect(render('{{ .Labels.instance | stripPort }} {{ toUpper "x" }} {{ title "disk full" }} {{ reReplaceAll "(.*):.*" "$1" .Labels.instance }}')).toBe('10.0.0.2 X Disk Full 10.0.0.2');
    expect(render('{{ .Labels.missing }}|{{ printf "%.1f" $value }}')).toBe('|0.1');
  });

  it('support if/else, range, with, variables and trimming', () => {
    expect(render('{{ if gt $value 0.5 }}high{{ else if gt $value 0.05 }}medium{{ else }}low{{ end }}')).toBe('medium');
    expect(render('{{ range $k, $v := .Labels }}{{ $k }}={{ $v }};{{ end }}')).toBe('host=services;instance=10.0.0.2:8080;');
    expect(render('{{ with .Labels.host }}[{{ . }}]{{ end }}{{ with .Labels.none }}x{{ else }}none{{ end }}')).toBe('[services]none');
    expect(render('a  {{- $x := "b" -}}  {{ $x }}')).toBe('ab');
  });

  it('refuse what they cannot render, when they are compiled', () => {
    for (const [text, message] of [
      ['{{ $labels.host | shout }}', /function 'shout' is not defined/],
      ['{{ if .X }}open', /missing \{\{end\}\}/],
      ['{{ end }}', /unexpected \{\{end\}\}/],
      ['{{ template "x" . }}', /\{\{template\}\} is not supported/],
      ['{{ .Labels.host', /unclosed action/],
    ] as const) {
      expect(() => new Template(text)).toThrow(TemplateError);
      expect(() => new Template(text)).toThrow(message);
    }
  });
});
