import { gunzipSync } from 'node:zlib';
import { signAir } from '../../src/byteair/air-signature.js';
import { decodeDoneRequest, encodeDoneRequest } from '../../src/byteair/messages.js';
import { toProtoDate } from '../../src/byteair/payload.js';
import { buildRequest, digestBody, type ApiCall, type BuildRequestInput } from '../../src/byteair/request-builder.js';
import { isStage } from '../../src/byteair/stage.js';
import { buildCanonicalRequest, signVolc, stringToSign } from '../../src/byteair/volc-signature.js';
import { loadSdkVectors, vectorHeader, type SdkVector } from '../../../../test/support/shared.js';

const { vectors } = loadSdkVectors();
const volcVectors = vectors.filter((v) => v.inputs.auth === 'volc');
const airVectors = vectors.filter((v) => v.inputs.auth === 'air');

function bodyOf(vector: SdkVector): Buffer {
  return Buffer.from(vector.request.body_b64, 'base64');
}

function queryOf(vector: SdkVector): Array<[string, string]> {
  return [...new URL(vector.request.url).searchParams.entries()];
}

/** The headers the Python SDK sent, minus what python-requests adds on its own. */
function sdkHeaders(vector: SdkVector): Array<[string, string]> {
  const transport = new Set(['user-agent', 'connection', 'content-length']);
  return vector.request.headers.filter(([name]) => !transport.has(name.toLowerCase()));
}

describe('Volc HMAC-SHA256 signer against the official Python SDK captures', () => {
  test('there are volc and air vectors to check', () => {
    expect(volcVectors.length).toBeGreaterThanOrEqual(5);
    expect(airVectors.length).toBeGreaterThanOrEqual(1);
  });

  test.each(volcVectors.map((v) => [v.name, v] as const))('%s: canonical request, string-to-sign and signature', (_name, vector) => {
    const signing = vector.volc_signing;
    if (signing === undefined) throw new Error('volc vector without volc_signing');
    const url = new URL(vector.request.url);
    const signed = signVolc({
      method: vector.request.method,
      path: url.pathname,
      query: queryOf(vector),
      // Every header the SDK sent except the three the signer adds itself.
      headers: sdkHeaders(vector).filter(([name]) => !/^(x-date|x-content-sha256|authorization)$/i.test(name)),
      body: bodyOf(vector),
      accessKeyId: vector.inputs.ak ?? '',
      secretAccessKey: vector.inputs.sk ?? '',
      now: vector.inputs.fixed_unix_time * 1000,
    });
    expect(signed.canonicalRequest).toBe(signing.sdk_canonical_request);
    expect(signed.stringToSign).toBe(signing.sdk_string_to_sign);
    expect(signed.headers.Authorization).toBe(signing.authorization);
    expect(signed.headers['X-Content-Sha256']).toBe(vectorHeader(vector, 'x-content-sha256'));
    expect(signed.headers['X-Content-Sha256']).toBe(vector.request.body_sha256);
    expect(signed.headers['X-Date']).toBe(vectorHeader(vector, 'x-date'));
    expect(signed.signature).toBe(signing.parsed_authorization.signature);
  });

  test('a one-byte change of the body changes the signature (control)', () => {
    const vector = volcVectors[0] as SdkVector;
    const body = bodyOf(vector);
    body[body.length - 1] = (body.at(-1) ?? 0) ^ 0xff;
    const url = new URL(vector.request.url);
    const signed = signVolc({
      method: 'POST',
      path: url.pathname,
      query: queryOf(vector),
      headers: sdkHeaders(vector).filter(([name]) => !/^(x-date|x-content-sha256|authorization)$/i.test(name)),
      body,
      accessKeyId: vector.inputs.ak ?? '',
      secretAccessKey: vector.inputs.sk ?? '',
      now: vector.inputs.fixed_unix_time * 1000,
    });
    expect(signed.headers.Authorization).not.toBe(vector.volc_signing?.authorization);
  });

  test('string-to-sign is rebuilt from the canonical request alone', () => {
    for (const vector of volcVectors) {
      const signing = vector.volc_signing;
      if (signing === undefined) continue;
      const xDate = vectorHeader(vector, 'x-date') ?? '';
      expect(stringToSign(xDate, `${xDate.slice(0, 8)}/placeholder/air/request`, signing.sdk_canonical_request)).toBe(signing.sdk_string_to_sign);
    }
  });

  test('canonical request sorts headers and query and keeps a blank line before SignedHeaders', () => {
    const { canonicalRequest, signedHeaderNames } = buildCanonicalRequest({
      method: 'post',
      path: '/data/api/1/done',
      query: [
        ['topic', 'item'],
        ['stage', 'a b'],
      ],
      signedHeaders: [
        ['X-Date', '20220102T030405Z'],
        ['Content-Type', '  application/x-protobuf  '],
      ],
      payloadHash: 'h',
    });
    expect(signedHeaderNames).toEqual(['content-type', 'x-date']);
    expect(canonicalRequest).toBe(
      'POST\n/data/api/1/done\nstage=a%20b&topic=item\ncontent-type:application/x-protobuf\nx-date:20220102T030405Z\n\ncontent-type;x-date\nh',
    );
  });
});

describe('air token signer against the captures', () => {
  test.each(airVectors.map((v) => [v.name, v] as const))('%s: Tenant-Signature', (_name, vector) => {
    const signing = vector.air_signing;
    if (signing === undefined) throw new Error('air vector without air_signing');
    const signed = signAir({
      token: vector.inputs.token ?? '',
      body: bodyOf(vector),
      tenantId: vector.inputs.tenant_id,
      now: vector.inputs.fixed_unix_time * 1000,
      nonce: vector.inputs.fixed_nonce ?? '',
    });
    expect(signed.headers['Tenant-Ts']).toBe(signing.tenant_ts);
    expect(signed.headers['Tenant-Nonce']).toBe(signing.tenant_nonce);
    expect(signed.headers['Tenant-Signature']).toBe(signing.tenant_signature);
    expect(signed.headers['Tenant-Signature']).toBe(vectorHeader(vector, 'Tenant-Signature'));
  });
});

describe('request builder reproduces every captured request', () => {
  test.each(vectors.map((v) => [v.name, v] as const))('%s: URL, headers and body', (_name, vector) => {
    const { inputs } = vector;
    if (!isStage(inputs.stage)) throw new Error(`bad stage in vector: ${inputs.stage}`);
    const requestId = inputs.request_id ?? inputs.fixed_default_uuid1 ?? '';
    const call: ApiCall =
      vector.call === 'done'
        ? { kind: 'done', topic: inputs.topic, stage: inputs.stage, requestId, body: bodyOf(vector) }
        : { kind: 'write', topic: inputs.topic, stage: inputs.stage, date: inputs.data_date, requestId, body: bodyOf(vector) };
    const url = new URL(vector.request.url);
    const built = buildRequest({
      call,
      scheme: 'http',
      host: url.host,
      tenantId: inputs.tenant_id,
      applicationId: inputs.application_id,
      credentials: inputs.auth === 'volc' ? { kind: 'volc', ak: inputs.ak ?? '', sk: inputs.sk ?? '' } : { kind: 'air', token: inputs.token ?? '' },
      now: inputs.fixed_unix_time * 1000,
      nonce: inputs.fixed_nonce ?? '',
    });
    expect(built.url).toBe(vector.request.url);
    expect(built.pathWithQuery).toBe(vector.request.path);
    // Options we do not use (custom X- headers, Content-End, Timeout-Millis) change the expected set.
    const unused = new Set(['x-trace-id', 'content-end', 'timeout-millis']);
    const expected = sdkHeaders(vector).filter(([name]) => !unused.has(name.toLowerCase()));
    const toMap = (headers: ReadonlyArray<readonly [string, string]>): Record<string, string> =>
      Object.fromEntries(headers.map(([k, v]) => [k.toLowerCase(), v]));
    const builtMap = toMap(built.headers);
    const expectedMap = toMap(expected);
    if (Object.keys(toMap(sdkHeaders(vector))).some((name) => unused.has(name))) {
      // The SDK signed its extra headers; ours cannot match that one signature, so compare the rest.
      delete builtMap.authorization;
      delete expectedMap.authorization;
    }
    expect(builtMap).toEqual(expectedMap);
  });
});

describe('a body digest made once', () => {
  // The client hashes a chunk's body once per call and signs with that at every send time.
  test.each(vectors.map((v) => [v.name, v] as const))('%s: signs as hashing the body each time does, however often reused', (_name, vector) => {
    const { inputs } = vector;
    if (!isStage(inputs.stage)) throw new Error(`bad stage in vector: ${inputs.stage}`);
    const body = bodyOf(vector);
    const call: ApiCall = { kind: 'write', topic: inputs.topic, stage: inputs.stage, date: inputs.data_date, requestId: 'r-1', body };
    const credentials =
      inputs.auth === 'volc' ? ({ kind: 'volc', ak: inputs.ak ?? '', sk: inputs.sk ?? '' } as const) : ({ kind: 'air', token: inputs.token ?? '' } as const);
    const at = (now: number, nonce: string): BuildRequestInput => ({
      call,
      scheme: 'http',
      host: 'h:1',
      tenantId: inputs.tenant_id,
      applicationId: inputs.application_id,
      credentials,
      now,
      nonce,
    });
    const digest = digestBody(credentials, body);
    expect(digest.kind).toBe(credentials.kind);
    // Three signings, seconds apart and with other nonces: the digest is copied, never used up.
    for (const [now, nonce] of [
      [inputs.fixed_unix_time * 1000, 'abcdefgh'],
      [inputs.fixed_unix_time * 1000 + 7_000, 'ijklmnop'],
      [inputs.fixed_unix_time * 1000 + 7_000, 'ijklmnop'],
    ] as const) {
      expect(buildRequest({ ...at(now, nonce), digest }).headers).toEqual(buildRequest(at(now, nonce)).headers);
    }
  });
});

describe('DoneRequest protobuf', () => {
  const doneVectors = vectors.filter((v) => v.call === 'done');

  test.each(doneVectors.map((v) => [v.name, v] as const))('%s: encodes byte for byte', (_name, vector) => {
    const uncompressed = gunzipSync(bodyOf(vector));
    expect(uncompressed.toString('base64')).toBe(vector.request.body_decoded.uncompressed_b64);
    const encoded = encodeDoneRequest((vector.inputs.dates ?? []).map(toProtoDate));
    expect(encoded.equals(uncompressed)).toBe(true);
    expect(encoded.toString('hex')).toBe(vector.request.body_decoded.uncompressed_hex);
    expect(decodeDoneRequest(encoded)).toEqual(vector.request.body_decoded.done_request?.data_dates);
  });

  test('an empty date list is zero bytes, as the SDKs send', () => {
    expect(encodeDoneRequest([]).length).toBe(0);
    expect(decodeDoneRequest(Buffer.alloc(0))).toEqual([]);
  });
});
