import { UnsupportedMediaTypeError } from './ingest-errors.js';

/** `json`: one JSON array of records (or, where allowed, one object); `ndjson`: one record per line. */
export type BodyFormat = 'json' | 'ndjson';

const MEDIA_TYPES: Readonly<Record<string, BodyFormat>> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  // Both spellings are in use (ndjson.org lists the unregistered x- form).
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
};

export const ACCEPTED_MEDIA_TYPES = Object.keys(MEDIA_TYPES);

/**
 * The format a Content-Type header announces. A charset, when given, must be UTF-8: JSON
 * text is UTF-8 (RFC 8259), and a body in another charset would be misread silently.
 */
export function bodyFormatOf(contentType: string | undefined): BodyFormat {
  const header = contentType ?? '';
  const [type = '', ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  const format = MEDIA_TYPES[type];
  if (format === undefined) throw new UnsupportedMediaTypeError(header, ACCEPTED_MEDIA_TYPES);
  for (const param of params) {
    const [name, value = ''] = param.split('=').map((part) => part.trim());
    if (name === 'charset' && !['utf-8', 'utf8', '"utf-8"'].includes(value)) throw new UnsupportedMediaTypeError(header, ACCEPTED_MEDIA_TYPES.map((t) => `${t}; charset=utf-8`));
  }
  return format;
}
