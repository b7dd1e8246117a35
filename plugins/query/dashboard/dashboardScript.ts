/**
 * The browser half of the dashboard that talks to the API: sign-in with a read token (kept in
 * sessionStorage, so it is gone when the tab closes), the site and range pickers, and one stats
 * request per panel. Plain JavaScript, run as is; `PANELS` and `BUCKETS` are put in front of it
 * by dashboardAssets.ts.
 */

/** The page's behaviour, in the page script's scope. */
export const DASHBOARD_APP_JS = String.raw`
var TOKEN_KEY = 'hearth.query.token';
var SITE_KEY = 'hearth.query.site';
var state = { token: sessionStorage.getItem(TOKEN_KEY), sequence: 0 };
var zone = (Intl.DateTimeFormat().resolvedOptions().timeZone) || 'UTC';

function byId(id) { return document.getElementById(id); }

function api(method, path, body) {
  var options = { method: method, headers: { Authorization: 'Bearer ' + state.token } };
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  return fetch(path, options).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (json) {
      if (!response.ok) {
        var failure = new Error(json.error ? json.error.message : 'HTTP ' + response.status);
        failure.status = response.status;
        throw failure;
      }
      return json;
    });
  });
}

function showSignIn(message) {
  state.token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  byId('dashboard').hidden = true;
  byId('controls').hidden = true;
  byId('signout').hidden = true;
  byId('signin').hidden = false;
  byId('signin-error').textContent = message || '';
  document.body.setAttribute('data-state', 'signed-out');
}

function requestFor(panel, site, range, bots) {
  var body = { site: site, range: range, timezone: zone, bots: bots };
  Object.keys(panel.query).forEach(function (key) { body[key] = panel.query[key]; });
  body.dimensions = panel.query.dimensions.map(function (d) { return d === 'time:auto' ? BUCKETS[range] : d; });
  return body;
}

function render(results, range) {
  var series = results[0];
  var totals = series.meta.totals;
  Array.prototype.forEach.call(document.querySelectorAll('[data-kpi]'), function (node) {
    var metric = node.getAttribute('data-kpi');
    node.textContent = formatMetric(metric, totals[metric]);
  });
  drawLineChart(byId('chart-series'), series.data, BUCKETS[range]);
  drawBarChart(byId('chart-bytes'), series.data, BUCKETS[range]);
  var tables = byId('tables');
  clear(tables);
  PANELS.forEach(function (panel, index) {
    if (panel.kind === 'table') renderTable(tables, panel, results[index].data);
  });
  var meta = series.meta;
  byId('status').textContent = meta.site + ' · ' + meta.range.from + ' to ' + meta.range.to + ' · ' + meta.timezone + ' · ' + meta.engine;
}

function load() {
  var sequence = ++state.sequence;
  var site = byId('site').value;
  var range = byId('range').value;
  var bots = byId('bots').checked ? 'include' : 'exclude';
  sessionStorage.setItem(SITE_KEY, site);
  document.body.setAttribute('data-state', 'loading');
  byId('status').textContent = 'Loading…';
  Promise.all(PANELS.map(function (panel) { return api('POST', 'v1/stats', requestFor(panel, site, range, bots)); }))
    .then(function (results) {
      if (sequence !== state.sequence) return;
      render(results, range);
      document.body.setAttribute('data-range', range);
      document.body.setAttribute('data-state', 'ready');
    })
    .catch(function (failure) {
      if (sequence !== state.sequence) return;
      if (failure.status === 401) return showSignIn('The token is no longer accepted; sign in again.');
      byId('status').textContent = 'Could not load: ' + failure.message;
      document.body.setAttribute('data-state', 'error');
    });
}

function signIn(token) {
  state.token = token;
  return api('GET', 'v1/sites').then(function (json) {
    var sites = json.data.map(function (entry) { return entry.site; });
    if (sites.length === 0) return showSignIn('This token may not read any site (it needs the read scope).');
    sessionStorage.setItem(TOKEN_KEY, token);
    var select = byId('site');
    clear(select);
    sites.forEach(function (site) { select.appendChild(element('option', '', site)).value = site; });
    var remembered = sessionStorage.getItem(SITE_KEY);
    if (remembered && sites.indexOf(remembered) >= 0) select.value = remembered;
    byId('signin').hidden = true;
    byId('controls').hidden = false;
    byId('signout').hidden = false;
    byId('dashboard').hidden = false;
    load();
  }).catch(function (failure) {
    showSignIn(failure.status === 401 ? 'That token is not valid on this host.' : 'Sign-in failed: ' + failure.message);
  });
}

document.addEventListener('DOMContentLoaded', function () {
  byId('zone').textContent = 'Times in ' + zone;
  byId('signin').addEventListener('submit', function (event) {
    event.preventDefault();
    var token = byId('token').value.trim();
    byId('token').value = '';
    if (token) signIn(token);
  });
  byId('signout').addEventListener('click', function () { showSignIn(''); });
  ['site', 'range', 'bots'].forEach(function (id) { byId(id).addEventListener('change', load); });
  if (state.token) signIn(state.token); else showSignIn('');
});
`;
