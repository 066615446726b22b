/** The pages' one inline style sheet: system fonts only, stacked tables on narrow screens, print rules. */
export const PAGE_STYLE = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--none:#6e7781}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:16px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.5rem;margin:.2em 0}h2{font-size:1.2rem;margin:1.6em 0 .4em;border-bottom:1px solid var(--line);padding-bottom:.2em}h3{font-size:1rem;margin:1em 0 .3em}
p.meta,.muted{color:var(--muted)}
a{color:#0969da}
table{border-collapse:collapse;width:100%;margin:.4em 0 1em}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{font-weight:600;background:#f6f8fa}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.status{font-weight:600;white-space:nowrap}
.status-met{color:var(--ok)}.status-at-risk{color:var(--warn)}.status-breached{color:var(--bad)}.status-no-data,.status-no-traffic{color:var(--none)}
.sla-missed{color:var(--bad);font-weight:600}.sla-met{color:var(--ok);font-weight:600}
dl.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:8px;margin:.5em 0}
dl.facts div{border:1px solid var(--line);border-radius:6px;padding:6px 10px}
dl.facts dt{font-size:.8rem;color:var(--muted)}dl.facts dd{margin:0;font-size:1.1rem;font-weight:600}
figure{margin:.6em 0 1.2em}figcaption{font-size:.85rem;color:var(--muted)}
svg.chart{width:100%;height:auto;display:block;border:1px solid var(--line);border-radius:6px}
svg .grid{stroke:#eaeef2;stroke-width:1}svg .tick{font-size:11px;fill:var(--muted)}
svg .line{fill:none;stroke-width:2}svg .budget{stroke:#0969da}svg .burn{stroke:#8250df}svg .latency{stroke:#bf3989}
svg .ref{stroke-width:1.5;stroke-dasharray:6 4}svg .ref-zero,svg .ref-budget,svg .ref-threshold{stroke:var(--bad)}
svg .band-page{fill:rgba(207,34,46,.18)}svg .band-ticket{fill:rgba(154,103,0,.16)}svg .band-other{fill:rgba(110,119,129,.15)}
svg .nodata{font-size:16px;fill:var(--muted)}
.legend span{display:inline-block;margin-right:12px;font-size:.85rem;color:var(--muted)}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px;border-radius:2px}
.legend .k-page{background:rgba(207,34,46,.35)}.legend .k-ticket{background:rgba(154,103,0,.35)}
@media (max-width:640px){
  body{padding:10px;font-size:14px}
  table.stack thead{display:none}
  table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
  table.stack tr{border:1px solid var(--line);border-radius:6px;margin-bottom:8px;padding:4px 0}
  table.stack td{border:0;padding:3px 10px;text-align:left}
  table.stack td::before{content:attr(data-label) ": ";font-weight:600;color:var(--muted)}
  svg .tick{font-size:20px}svg .nodata{font-size:26px}
}
@media print{
  body{max-width:none;padding:0;font-size:11pt}
  nav{display:none}
  a{color:inherit;text-decoration:none}
  section.slo,figure,table{break-inside:avoid}
  h2{break-after:avoid}
  th{background:none}
}
`;
