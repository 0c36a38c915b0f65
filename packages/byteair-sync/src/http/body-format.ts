import { UnsupportedMediaTypeError } from './ingest-errors.js';

/** `json`: one JSON array of records (or, where allowed, one object); `ndjson`: one record per line. */
export type BodyFormat = 'json' | 'ndjson';

// A Map, not a plain object: the key is the client's header, and an object lookup would find
// inherited members (`constructor`, `__proto__`) and take them for a format.
const MEDIA_TYPES: ReadonlyMap<string, BodyFormat> = new Map<string, BodyFormat>([
  ['application/json', 'json'],
  ['application/x-ndjson', 'ndjson'],
  // Both spellings are in use (ndjson.org lists the unregistered x- form).
  ['application/ndjson', 'ndjson'],
  ['application/jsonl', 'ndjson'],
]);

export const ACCEPTED_MEDIA_TYPES: readonly string[] = [...MEDIA_TYPES.keys()];

/**
 * The format a Content-Type header announces. A charset, when given, must be UTF-8: JSON
 * text is UTF-8 (RFC 8259), and a body in another charset would be misread silently.
 */
export function bodyFormatOf(contentType: string | undefined): BodyFormat {
  const header = contentType ?? '';
  const [type = '', ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  const format = MEDIA_TYPES.get(type);
  if (format === undefined) throw new UnsupportedMediaTypeError(header, ACCEPTED_MEDIA_TYPES);
  for (const param of params) {
    const [name, value = ''] = param.split('=').map((part) => part.trim());
    if (name === 'charset' && !['utf-8', 'utf8', '"utf-8"'].includes(value))
      throw new UnsupportedMediaTypeError(
        header,
        ACCEPTED_MEDIA_TYPES.map((t) => `${t}; charset=utf-8`),
      );
  }
  return format;
}
