/**
 * HTML built only through the `html` tag: every interpolated value is escaped unless it is
 * itself the result of `html`. Topic names, batch ids and failure reasons come from Redis
 * and count as untrusted; this keeps a crafted job or error message from becoming markup.
 */
export class SafeHtml {
  readonly #text: string;

  constructor(text: string, key: typeof CONSTRUCT) {
    if (key !== CONSTRUCT) throw new TypeError('SafeHtml is only made by the html tag');
    this.#text = text;
  }

  toString(): string {
    return this.#text;
  }
}

const CONSTRUCT = Symbol('SafeHtml');

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map((item: HtmlValue) => render(item)).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out, CONSTRUCT);
}
