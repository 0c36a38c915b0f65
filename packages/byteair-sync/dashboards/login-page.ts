import { html } from './html.js';
import { renderPage } from './page-layout.js';

export interface LoginPageOptions {
  /** Where to go after logging in; already checked by safeNextPath. */
  readonly next: string;
  readonly error?: string;
}

export function renderLoginPage(options: LoginPageOptions): string {
  const error = options.error === undefined ? '' : html`<p class="error" role="alert">${options.error}</p>`;
  const content = html`<form class="login" method="post" action="/login">
<h2>Log in to the byteair-sync dashboard</h2>
${error}
<input type="hidden" name="next" value="${options.next}">
<label for="user">User</label><input id="user" name="user" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>`;
  return renderPage({ title: 'Log in', content, nav: false, authEnabled: false });
}

/** A page with one button, for the Bull Board menu's "Log out" link (logging out is a POST). */
export function renderLogoutPage(): string {
  const content = html`<form class="login" method="post" action="/logout"><h2>Log out of the dashboard?</h2><button type="submit">Log out</button></form>`;
  return renderPage({ title: 'Log out', content, nav: true, authEnabled: false });
}

/**
 * Only a same-site path may follow a login: `//evil.example` or `/\evil.example` would be
 * read by browsers as another host, an open redirect.
 */
export function safeNextPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 512) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return '/';
  }
  return value;
}
