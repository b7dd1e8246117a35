/**
 * The dashboard's HTML and CSS. The page is static: everything it shows is fetched by its script
 * from the API with the reader's token, and written with textContent (paths and referrers come
 * from visitors, so nothing from the data is ever parsed as HTML).
 */

/** The page's style sheet: system fonts, no external assets. */
export const DASHBOARD_CSS = `
:root{--ink:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#f6f8fa;--card:#fff;--a:#2f6fdd;--b:#e8871e;--bar:#dbe7fb}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;padding:.8rem 1.5rem;background:var(--card);border-bottom:1px solid var(--line)}
header h1{font-size:1.1rem;margin:0 1rem 0 0}header label{color:var(--muted);font-size:.85rem}
select,input,button{font:inherit;padding:.3rem .5rem;border:1px solid var(--line);border-radius:6px;background:#fff}
button{cursor:pointer}button.primary{background:var(--a);border-color:var(--a);color:#fff}
.spacer{flex:1}.zone{color:var(--muted);font-size:.85rem}
main{padding:1.25rem 1.5rem;max-width:1200px;margin:0 auto}
#signin{max-width:420px;margin:4rem auto;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1.5rem}
#signin h2{margin-top:0;font-size:1.1rem}#signin input{width:100%;margin:.5rem 0 1rem}
.error{color:#b42318;min-height:1.2em}.status{color:var(--muted);min-height:1.2em;margin-bottom:.75rem}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.75rem;margin-bottom:1rem}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.75rem 1rem}
.kpi .label{color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.04em}.kpi .value{font-size:1.5rem;font-weight:600}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem;margin-bottom:1rem}
.card h2{font-size:.95rem;margin:0 0 .6rem}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:1rem}
.grid .card{margin-bottom:0}svg{width:100%;height:auto;display:block}
svg .axis{stroke:var(--line)}svg text{fill:var(--muted);font-size:11px}
svg .visitors{stroke:var(--a);fill:none;stroke-width:2}svg .pageviews{stroke:var(--b);fill:none;stroke-width:2}
svg .dot-visitors{fill:var(--a)}svg .dot-pageviews{fill:var(--b)}svg .bytes{fill:var(--a);opacity:.75}
.legend{display:flex;gap:1rem;font-size:.8rem;color:var(--muted);margin-bottom:.3rem}
.legend .visitors::before,.legend .pageviews::before{content:"";display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:.35rem}
.legend .visitors::before{background:var(--a)}.legend .pageviews::before{background:var(--b)}
table{width:100%;border-collapse:collapse}th,td{padding:.3rem .4rem;text-align:left;border-bottom:1px solid #eef0f2}
th{color:var(--muted);font-weight:500;font-size:.8rem}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.key{position:relative;word-break:break-all}td.key .bar{position:absolute;left:0;top:3px;bottom:3px;background:var(--bar);border-radius:3px;z-index:0}
td.key span{position:relative;z-index:1}.empty{color:var(--muted);font-style:italic}
[hidden]{display:none!important}
`;

/** The page. `version` busts caches of the assets when they change. */
export function dashboardHtml(version: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Hearth analytics</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/dashboard.css?v=${version}">
<script src="assets/dashboard.js?v=${version}" defer></script>
</head>
<body data-state="starting">
<header>
  <h1>Hearth analytics</h1>
  <span id="controls" hidden>
    <label>Site <select id="site"></select></label>
    <label>Range <select id="range">
      <option value="today">Today</option>
      <option value="7d">Last 7 days</option>
      <option value="30d" selected>Last 30 days</option>
      <option value="month">This month</option>
      <option value="12mo">Last 12 months</option>
    </select></label>
    <label><input type="checkbox" id="bots"> include bots</label>
  </span>
  <span class="spacer"></span>
  <span class="zone" id="zone"></span>
  <button id="signout" hidden>Sign out</button>
</header>
<form id="signin" hidden>
  <h2>Sign in</h2>
  <label for="token">A token with the <code>read</code> scope</label>
  <input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="hth_…" required>
  <button class="primary" type="submit">Show analytics</button>
  <p class="error" id="signin-error"></p>
</form>
<main id="dashboard" hidden>
  <p class="status" id="status"></p>
  <section class="kpis">
    <div class="kpi"><div class="label">Visitors</div><div class="value" data-kpi="visitors">–</div></div>
    <div class="kpi"><div class="label">Pageviews</div><div class="value" data-kpi="pageviews">–</div></div>
    <div class="kpi"><div class="label">Requests</div><div class="value" data-kpi="requests">–</div></div>
    <div class="kpi"><div class="label">Bandwidth</div><div class="value" data-kpi="bytes">–</div></div>
    <div class="kpi"><div class="label">Error rate (5xx)</div><div class="value" data-kpi="error_rate">–</div></div>
  </section>
  <section class="card"><h2>Visitors and pageviews</h2>
    <div class="legend"><span class="visitors">Visitors</span><span class="pageviews">Pageviews</span></div>
    <svg id="chart-series" viewBox="0 0 800 240" role="img" aria-label="Visitors and pageviews over time"></svg></section>
  <section class="card"><h2>Bandwidth over time</h2>
    <svg id="chart-bytes" viewBox="0 0 800 160" role="img" aria-label="Bytes sent over time"></svg></section>
  <section class="grid" id="tables"></section>
</main>
</body>
</html>
`;
}
