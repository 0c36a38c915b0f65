/**
 * The stylesheet of the login and status pages, served from /assets/dashboard.css so the
 * Content-Security-Policy of those pages can forbid inline styles altogether.
 */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --fg: #1d232b; --muted: #5f6b7a; --line: #d8dee6; --bg: #f5f7fa; --ok: #1f8a4c; --warn: #b26a00; --bad: #c0392b; --accent: #2f6fde; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: #1d232b; color: #fff; }
header h1 { font-size: 1rem; margin: 0; font-weight: 600; }
header nav { display: flex; gap: 1rem; align-items: center; flex: 1; }
header a { color: #cfe0ff; text-decoration: none; }
header a:hover { text-decoration: underline; }
header form { margin: 0 0 0 auto; }
header button { background: transparent; color: #cfe0ff; border: 1px solid #56657a; border-radius: 4px; padding: .2rem .7rem; cursor: pointer; }
main { padding: 1rem 1.5rem 3rem; max-width: 1400px; }
h2 { font-size: 1.05rem; margin: 1.6rem 0 .5rem; }
p.note { color: var(--muted); margin: .2rem 0 .6rem; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef2f7; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.pill { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8rem; border: 1px solid currentColor; }
.ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); } .muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; min-width: 11rem; }
.card b { display: block; font-size: 1.25rem; }
progress { width: 7rem; height: .7rem; vertical-align: middle; }
ul.reasons { margin: 0; padding-left: 1rem; color: var(--bad); }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5rem; }
.chart svg { width: 100%; height: auto; display: block; }
.legend span { margin-right: 1.2rem; }
.swatch-req { color: #2f6fde; } .swatch-rec { color: #1f8a4c; } .swatch-factor { color: #b26a00; }
form.login { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1.5rem; max-width: 22rem; margin: 4rem auto; }
form.login label { display: block; margin: .7rem 0 .2rem; }
form.login input { width: 100%; padding: .4rem; border: 1px solid var(--line); border-radius: 4px; }
form.login button { margin-top: 1.1rem; width: 100%; padding: .5rem; background: var(--accent); color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
.error { color: var(--bad); }
code { font-size: .85em; }
`;
