import { gzipSync } from 'node:zlib';
import { RateLimitedError, StageRejectedError, UnexpectedAnswerError } from '../../src/byteair/api-errors.js';
import { classifyDoneResponse, classifyWriteResponse, type RawResponse } from '../../src/byteair/classify-response.js';
import { decodeDoneResponse, decodeWriteResponse, encodeDoneResponse, encodeWriteResponse } from '../../src/byteair/messages.js';
import { ProtobufDecodeError } from '../../src/byteair/protobuf-error.js';
import { parseRetryAfter } from '../../src/byteair/retry-after.js';
import { readSharedJson } from '../../../../test/support/shared.js';

interface Meaning {
  status: { code: number; message: string; success: boolean };
  errors?: Array<{ message: string; data: string }>;
}
interface ResponsesFile {
  responses: Array<{ name: string; message_type: string; meaning: Meaning; protobuf_b64: string; protobuf_hex: string }>;
  python_sdk_behaviour: Array<{
    case: string;
    server_http_status: number;
    server_headers: Record<string, string>;
    server_body_b64: string;
    python_sdk: { returned?: Meaning; raised?: { type: string; message: string } };
  }>;
}

const file = readSharedJson<ResponsesFile>('vectors/responses.json');
const NOW = Date.UTC(2022, 0, 2, 3, 4, 5);

function raw(httpStatus: number, headers: Record<string, string>, body: Buffer): RawResponse {
  return { httpStatus, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])), body };
}

describe('every serialized response decodes to its stated meaning', () => {
  test.each(file.responses.map((r) => [r.name, r] as const))('%s', (_name, response) => {
    const bytes = Buffer.from(response.protobuf_b64, 'base64');
    if (response.message_type.endsWith('WriteResponse')) {
      const decoded = decodeWriteResponse(bytes);
      expect(decoded).toEqual({ status: response.meaning.status, errors: response.meaning.errors ?? [] });
      // Our encoder (used by the emulator) writes the same bytes.
      expect(encodeWriteResponse(decoded).toString('hex')).toBe(response.protobuf_hex);
    } else {
      const decoded = decodeDoneResponse(bytes);
      expect(decoded).toEqual({ status: response.meaning.status });
      expect(encodeDoneResponse(decoded).toString('hex')).toBe(response.protobuf_hex);
    }
  });
});

describe('every server answer is classified', () => {
  const byCase = new Map(file.python_sdk_behaviour.map((c) => [c.case, c]));
  const answer = (name: string): RawResponse => {
    const c = byCase.get(name);
    if (c === undefined) throw new Error(`no case ${name} in responses.json`);
    return raw(c.server_http_status, c.server_headers, Buffer.from(c.server_body_b64, 'base64'));
  };

  test('write_ok is accepted', () => {
    expect(classifyWriteResponse(answer('write_ok'), NOW)).toEqual({ kind: 'accepted', status: { code: 0, message: 'OK', success: true } });
  });

  test('write_ok_gzip_encoded is accepted', () => {
    expect(classifyWriteResponse(answer('write_ok_gzip_encoded'), NOW).kind).toBe('accepted');
  });

  test('write_partial_1001 is partial, with each failed record and its reason', () => {
    const result = classifyWriteResponse(answer('write_partial_1001'), NOW);
    expect(result.kind).toBe('partial');
    if (result.kind !== 'partial') return;
    expect(result.rejected).toHaveLength(2);
    expect(result.rejected[0]?.reason).toBe("field 'status' is required");
    expect(JSON.parse(result.rejected[0]?.data ?? 'null')).toMatchObject({ id: 'item_id1' });
    expect(result.rejected[1]?.reason).toBe("invalid value of field 'pub_time'");
  });

  test('status 429 in the body is rate limited', () => {
    expect(() => classifyWriteResponse(answer('write_too_many_requests_429'), NOW)).toThrow(RateLimitedError);
  });

  test('409 duplicate counts as success', () => {
    const bytes = Buffer.from(file.responses.find((r) => r.name === 'write_idempotent_409')?.protobuf_b64 ?? '', 'base64');
    expect(classifyWriteResponse(raw(200, { 'Content-Type': 'application/x-protobuf' }, bytes), NOW).kind).toBe('duplicate');
  });

  test('a JSON body is decoded (the documented shape is a success)', () => {
    expect(classifyWriteResponse(answer('write_json_body_instead_of_protobuf'), NOW).kind).toBe('accepted');
  });

  test('an empty 200 body is never success', () => {
    const error = catchError(() => classifyWriteResponse(answer('write_empty_body_http_200'), NOW));
    expect(error).toBeInstanceOf(UnexpectedAnswerError);
    expect(error).toMatchObject({ code: 'UNEXPECTED_ANSWER', answer: 'empty-body', label: 'empty_body' });
  });

  test('HTTP 429 is rate limited and honours Retry-After', () => {
    const base = answer('write_http_429');
    const error = catchError(() => classifyWriteResponse({ ...base, headers: { ...base.headers, 'retry-after': '3' } }, NOW));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 3000 });
  });

  test('HTTP 500 is upstream unavailable', () => {
    expect(catchError(() => classifyWriteResponse(answer('write_http_500'), NOW))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'server-error' });
  });

  test('done_ok is accepted', () => {
    expect(classifyDoneResponse(answer('done_ok'), NOW).kind).toBe('accepted');
  });

  test('done_bad_request_400 is stage rejected with its message, not retryable', () => {
    const error = catchError(() => classifyDoneResponse(answer('done_bad_request_400'), NOW));
    expect(error).toBeInstanceOf(StageRejectedError);
    expect(error).toMatchObject({ code: 'STAGE_REJECTED', retryable: false, serverMessage: 'Syncing or ack is not allowed when done.' });
  });
});

describe('classification beyond the vectors', () => {
  const protobuf = (code: number, message: string, success = false): RawResponse =>
    raw(200, { 'content-type': 'application/x-protobuf' }, encodeWriteResponse({ status: { code, message, success }, errors: [] }));

  test('"data cleaning" 400 is the one retryable stage rejection', () => {
    expect(catchError(() => classifyWriteResponse(protobuf(400, 'Syncing or ack is not allowed when data cleaning.'), NOW))).toMatchObject({ retryable: true });
  });

  test('401/403 are auth rejected, in the body or as HTTP status', () => {
    expect(catchError(() => classifyWriteResponse(protobuf(401, 'bad signature'), NOW))).toMatchObject({ code: 'AUTH_REJECTED' });
    expect(catchError(() => classifyWriteResponse(raw(403, {}, Buffer.from('no')), NOW))).toMatchObject({ code: 'AUTH_REJECTED' });
  });

  test('status 5xx in the body is upstream unavailable; other 4xx is request rejected', () => {
    expect(catchError(() => classifyWriteResponse(protobuf(503, 'busy'), NOW))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(catchError(() => classifyWriteResponse(protobuf(413, 'too big'), NOW))).toMatchObject({ code: 'REQUEST_REJECTED', statusCode: 413 });
  });

  test('code 0 without success=true is not success', () => {
    expect(catchError(() => classifyWriteResponse(protobuf(0, 'OK', false), NOW))).toMatchObject({ code: 'UNEXPECTED_ANSWER', answer: 'not-success' });
  });

  test('JSON with success=false is not success; gzip JSON decodes', () => {
    const json = (body: unknown, gzip = false): RawResponse => {
      const bytes = Buffer.from(JSON.stringify(body));
      return raw(200, { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) }, gzip ? gzipSync(bytes) : bytes);
    };
    expect(catchError(() => classifyWriteResponse(json({ status: { code: 0, message: 'OK', success: false } }), NOW))).toMatchObject({ answer: 'not-success' });
    expect(classifyWriteResponse(json({ status: { code: 0, message: 'OK', success: true } }, true), NOW).kind).toBe('accepted');
    expect(catchError(() => classifyWriteResponse(json({}), NOW))).toMatchObject({ answer: 'no-status' });
    expect(catchError(() => classifyWriteResponse(json({ status: { code: '0' } }), NOW))).toMatchObject({ answer: 'no-status' });
    // The docs count an absent code as 0.
    expect(classifyWriteResponse(json({ status: { message: 'OK' } }), NOW).kind).toBe('accepted');
  });

  test('garbage is an unexpected answer, not a crash', () => {
    expect(catchError(() => classifyWriteResponse(raw(200, {}, Buffer.from([0xff, 0xff, 0xff])), NOW))).toMatchObject({ answer: 'undecodable-body' });
    expect(catchError(() => classifyWriteResponse(raw(200, { 'content-encoding': 'gzip' }, Buffer.from('nope')), NOW))).toMatchObject({
      answer: 'undecodable-body',
    });
  });

  test('bodies no protobuf reader takes are undecodable, for write and done alike, with the decoder error as cause', () => {
    const bodies = [
      Buffer.from('<html><body>Please log in to the network (emulated)</body></html>'),
      Buffer.from('Bad Gateway'),
      Buffer.from('0a05', 'hex'), // a Status that claims 5 bytes of none
    ];
    const undecodable = (classify: typeof classifyWriteResponse | typeof classifyDoneResponse, body: Buffer): void => {
      const error = catchError(() => classify(raw(200, { 'content-type': 'application/x-protobuf' }, body), NOW));
      expect(error).toMatchObject({ answer: 'undecodable-body' });
      expect((error as Error).cause).toBeInstanceOf(ProtobufDecodeError);
    };
    for (const body of bodies) {
      undecodable(classifyWriteResponse, body);
      undecodable(classifyDoneResponse, body);
    }
    // A DataError message that is not UTF-8 (a DoneResponse has no field 2 and skips it).
    undecodable(classifyWriteResponse, Buffer.from('12040a02c328', 'hex'));
  });

  test('the answer table: which HTTP statuses hold the circuit and which are the same on every try', () => {
    const page = Buffer.from('<html><body>Not Found</body></html>');
    const decided = (status: number): unknown => catchError(() => classifyWriteResponse(raw(status, { 'content-type': 'text/html' }, page), NOW));
    for (const status of [500, 502, 503, 504, 599]) expect(decided(status)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'server-error' });
    expect(decided(408)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'timeout' });
    expect(decided(429)).toMatchObject({ code: 'RATE_LIMITED' });
    for (const status of [401, 403]) expect(decided(status)).toMatchObject({ code: 'AUTH_REJECTED' });
    for (const status of [301, 302, 400, 404, 405, 410, 413, 418, 451]) {
      expect(decided(status)).toMatchObject({ code: 'UNEXPECTED_ANSWER', answer: 'http-status', label: `http_${status}` });
    }
    expect((decided(404) as Error).message).toBe('API answered HTTP 404: body "<html><body>Not Found</body></html>" (35 bytes)');
  });

  test('status codes: the code decides, not the success flag', () => {
    expect(catchError(() => classifyWriteResponse(protobuf(408, 'slow'), NOW))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'timeout' });
    expect(catchError(() => classifyWriteResponse(protobuf(2001, 'odd'), NOW))).toMatchObject({ code: 'UNEXPECTED_ANSWER', answer: 'unknown-code' });
    expect(catchError(() => classifyWriteResponse(protobuf(7, 'odd', true), NOW))).toMatchObject({
      code: 'UNEXPECTED_ANSWER',
      answer: 'unknown-code',
      message: 'API answered an undefined status 7 with success=true (odd)',
    });
    expect(classifyWriteResponse(protobuf(409, 'dup', true), NOW).kind).toBe('duplicate');
    expect(
      catchError(() =>
        classifyDoneResponse(
          raw(
            200,
            { 'content-type': 'application/x-protobuf' },
            encodeWriteResponse({ status: { code: 1001, message: 'partial?', success: false }, errors: [] }),
          ),
          NOW,
        ),
      ),
    ).toMatchObject({ answer: 'unknown-code' });
  });

  test('Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2000);
    expect(parseRetryAfter(new Date(NOW + 5000).toUTCString(), NOW)).toBe(5000);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
