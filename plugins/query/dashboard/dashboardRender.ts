/**
 * The browser half of the dashboard that draws: number formats, the SVG line and bar charts, and
 * the top-ten tables. Plain JavaScript (this runs in the reader's browser as is, no build step);
 * every text from the data goes in with textContent.
 */

/** Drawing functions, in the page script's scope (see dashboardAssets.ts). */
export const DASHBOARD_RENDER_JS = String.raw`
var SVG_NS = 'http://www.w3.org/2000/svg';

function element(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function svgElement(tag, attributes, title) {
  var node = document.createElementNS(SVG_NS, tag);
  Object.keys(attributes).forEach(function (name) { node.setAttribute(name, String(attributes[name])); });
  if (title !== undefined) {
    var tip = document.createElementNS(SVG_NS, 'title');
    tip.textContent = title;
    node.appendChild(tip);
  }
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function formatCount(value) {
  return Number(value).toLocaleString('en-US');
}

function formatBytes(value) {
  var units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  var scaled = Number(value);
  var unit = 0;
  while (scaled >= 1000 && unit < units.length - 1) { scaled /= 1000; unit++; }
  return (unit === 0 ? String(scaled) : scaled.toFixed(1)) + ' ' + units[unit];
}

function formatRate(value) {
  return (Number(value) * 100).toFixed(2) + '%';
}

function formatMetric(metric, value) {
  if (metric === 'bytes') return formatBytes(value);
  if (metric === 'error_rate') return formatRate(value);
  return formatCount(value);
}

var METRIC_LABELS = { visitors: 'Visitors', pageviews: 'Pageviews', requests: 'Requests', bytes: 'Bytes', errors: 'Errors', error_rate: 'Error rate' };

function keyText(panelId, value) {
  if (value === '') return panelId === 'referrers' ? '(direct)' : '(unknown)';
  return String(value);
}

function bucketLabel(iso, dimension) {
  if (dimension === 'time:hour') return iso.slice(11, 16);
  if (dimension === 'time:month') return iso.slice(0, 7);
  return iso.slice(5, 10);
}

var CHART = { width: 800, left: 56, right: 26, top: 12, bottom: 26 };

function drawAxes(svg, height, max, format, rows, dimension, x) {
  var bottom = height - CHART.bottom;
  svg.appendChild(svgElement('line', { x1: CHART.left, y1: bottom, x2: CHART.width - CHART.right, y2: bottom, 'class': 'axis' }));
  svg.appendChild(svgElement('line', { x1: CHART.left, y1: CHART.top, x2: CHART.left, y2: bottom, 'class': 'axis' }));
  var top = svgElement('text', { x: CHART.left - 6, y: CHART.top + 4, 'text-anchor': 'end' });
  top.textContent = format(max);
  svg.appendChild(top);
  var zero = svgElement('text', { x: CHART.left - 6, y: bottom, 'text-anchor': 'end' });
  zero.textContent = format(0);
  svg.appendChild(zero);
  var labels = Math.min(rows.length, 8);
  for (var i = 0; i < labels; i++) {
    var index = labels === 1 ? 0 : Math.round(i * (rows.length - 1) / (labels - 1));
    var text = svgElement('text', { x: x(index), y: height - 8, 'text-anchor': 'middle' });
    text.textContent = bucketLabel(rows[index].time, dimension);
    svg.appendChild(text);
  }
}

function drawLineChart(svg, rows, dimension) {
  clear(svg);
  var height = 240;
  var max = 1;
  rows.forEach(function (row) { max = Math.max(max, row.visitors, row.pageviews); });
  var span = CHART.width - CHART.left - CHART.right;
  var x = function (i) { return CHART.left + (rows.length <= 1 ? span / 2 : i * span / (rows.length - 1)); };
  var y = function (v) { return CHART.top + (height - CHART.top - CHART.bottom) * (1 - v / max); };
  drawAxes(svg, height, max, formatCount, rows, dimension, x);
  ['pageviews', 'visitors'].forEach(function (metric) {
    var points = rows.map(function (row, i) { return x(i).toFixed(1) + ',' + y(row[metric]).toFixed(1); }).join(' ');
    svg.appendChild(svgElement('polyline', { points: points, 'class': metric }));
    rows.forEach(function (row, i) {
      svg.appendChild(svgElement('circle', { cx: x(i).toFixed(1), cy: y(row[metric]).toFixed(1), r: 2.5, 'class': 'dot-' + metric },
        row.time + ': ' + formatCount(row[metric]) + ' ' + metric));
    });
  });
}

function drawBarChart(svg, rows, dimension) {
  clear(svg);
  var height = 160;
  var max = 1;
  rows.forEach(function (row) { max = Math.max(max, row.bytes); });
  var span = CHART.width - CHART.left - CHART.right;
  var step = span / Math.max(rows.length, 1);
  var x = function (i) { return CHART.left + step * (i + 0.5); };
  drawAxes(svg, height, max, formatBytes, rows, dimension, x);
  var plot = height - CHART.top - CHART.bottom;
  rows.forEach(function (row, i) {
    var barHeight = plot * row.bytes / max;
    svg.appendChild(svgElement('rect', {
      x: (x(i) - step * 0.4).toFixed(1), y: (height - CHART.bottom - barHeight).toFixed(1),
      width: Math.max(step * 0.8, 1).toFixed(1), height: barHeight.toFixed(1), 'class': 'bytes'
    }, row.time + ': ' + formatBytes(row.bytes)));
  });
}

function renderTable(container, panel, rows) {
  var card = element('section', 'card');
  card.appendChild(element('h2', '', panel.title));
  if (rows.length === 0) {
    card.appendChild(element('p', 'empty', 'No data in this range.'));
    container.appendChild(card);
    return;
  }
  var table = element('table');
  table.setAttribute('data-panel', panel.id);
  var head = element('tr');
  head.appendChild(element('th', '', panel.keyLabel));
  panel.query.metrics.forEach(function (metric) { head.appendChild(element('th', 'num', METRIC_LABELS[metric])); });
  table.appendChild(element('thead')).appendChild(head);
  var body = table.appendChild(element('tbody'));
  var dimension = panel.query.dimensions[0];
  var first = panel.query.metrics[0];
  var max = 1;
  rows.forEach(function (row) { max = Math.max(max, row[first]); });
  rows.forEach(function (row) {
    var line = element('tr');
    var key = element('td', 'key');
    key.setAttribute('data-key', String(row[dimension]));
    var bar = element('span', 'bar');
    bar.style.width = (100 * row[first] / max).toFixed(1) + '%';
    key.appendChild(bar);
    key.appendChild(element('span', '', keyText(panel.id, row[dimension])));
    line.appendChild(key);
    panel.query.metrics.forEach(function (metric) {
      var cell = element('td', 'num', formatMetric(metric, row[metric]));
      cell.setAttribute('data-metric', metric);
      line.appendChild(cell);
    });
    body.appendChild(line);
  });
  card.appendChild(table);
  container.appendChild(card);
}
`;
