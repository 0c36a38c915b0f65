import { html, type SafeHtml } from './html.js';

export interface PageOptions {
  readonly title: string;
  readonly content: SafeHtml;
  /** Show the navigation (not on the login page). */
  readonly nav: boolean;
  /** A logout button is only meaningful when a login exists. */
  readonly authEnabled: boolean;
  /** Reload the page this often; a meta refresh needs no script, so the CSP can forbid scripts. */
  readonly refreshSeconds?: number;
}

/** The frame of the dashboard's own pages (status, login); Bull Board renders its own. */
export function renderPage(options: PageOptions): string {
  const refresh = options.refreshSeconds === undefined ? '' : html`<meta http-equiv="refresh" content="${options.refreshSeconds}">`;
  const logout = options.authEnabled ? html`<form method="post" action="/logout"><button type="submit">Log out</button></form>` : '';
  const nav = options.nav
    ? html`<nav><a href="/status">Sync status</a><a href="/board/">Queues (Bull Board)</a><a href="/api/status">Status JSON</a><a href="/metrics">Metrics</a>${logout}</nav>`
    : '';
  return `<!DOCTYPE html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">${refresh}<title>${options.title} · byteair-sync</title><link rel="stylesheet" href="/assets/dashboard.css"></head><body><header><h1>byteair-sync</h1>${nav}</header><main>${options.content}</main></body></html>`.toString()}`;
}
