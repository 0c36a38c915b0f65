import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { RequestError, type Got } from 'got';
import type { Clock, Random } from '../clock.js';
import type { ApiAuth, Config } from '../config/config.js';
import { requireApiSettings } from '../config/load-config.js';
import { makeNonce } from './air-signature.js';
import { AnswerTimeouts } from './answer-timeout.js';
import { RequestAbortedError, UpstreamUnavailableError, type ApiError } from './api-errors.js';
import type { CallMeta, DoneResult, WriteResult } from './api-result.js';
import { classifyDoneResponse, classifyWriteResponse, type RawResponse } from './classify-response.js';
import { encodeDoneBody } from './payload.js';
import { buildRequest, digestBody, type ApiCall, type SigningCredentials } from './request-builder.js';
import { onRequestWritten } from './request-written.js';
import type { OfflineStage, Stage } from './stage.js';

export interface WriteDataRequest {
  readonly topic: string;
  readonly stage: Stage;
  /** `YYYY-MM-DD`, offline stages only. */
  readonly date: string | undefined;
  readonly requestId: string;
  /** gzip(JSON array of records). */
  readonly body: Buffer;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Awaited right before the request goes on the wire (see BeforeSend). */
  readonly beforeSend?: BeforeSend;
  /** Called once the request is written to the socket (its bytes handed to the OS). */
  readonly afterSend?: () => void;
}

/**
 * Called once per HTTP attempt, after got has built the request and just before it is
 * written; the request is signed after it resolves. The upload worker waits for its
 * rate-limiter grant here, so nothing slow sits between the grant and the bytes on the
 * wire, and the signature's time is the sending time however long the wait was.
 */
export type BeforeSend = () => Promise<void>;

export interface DoneRequest {
  readonly topic: string;
  readonly stage: OfflineStage;
  /** `YYYY-MM-DD` dates to close. */
  readonly dates: readonly string[];
  readonly requestId: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly beforeSend?: BeforeSend;
  readonly afterSend?: () => void;
}

/** The narrow surface the upload processor depends on; the emulator tests use the real one. */
export interface UploadApi {
  writeData(request: WriteDataRequest): Promise<{ result: WriteResult; meta: CallMeta }>;
  done(request: DoneRequest): Promise<{ result: DoneResult; meta: CallMeta }>;
}

export interface ByteairClientOptions {
  readonly hosts: readonly string[];
  readonly scheme: 'http' | 'https';
  readonly tenantId: string;
  readonly applicationId: string;
  readonly auth: ApiAuth;
  /** Floor of the answer timeout (answer-timeout.ts), ms. */
  readonly timeoutMs: number;
  /** Its cap; without one the timeout is fixed at timeoutMs. */
  readonly timeoutCapMs?: number;
  readonly clock: Clock;
  readonly random: Random;
  /** Extra trusted CA certificates (PEM), for a private deployment's or a test's own CA. */
  readonly ca?: string | Buffer;
  /** Turns certificate checks off; only for throw-away local servers. */
  readonly rejectUnauthorized?: boolean;
}

/** The client options a validated config gives (throws ConfigError when API settings are missing). */
export function clientOptionsFrom(config: Config, clock: Clock, random: Random): ByteairClientOptions {
  return {
    ...requireApiSettings(config),
    hosts: config.api.hosts,
    scheme: config.api.scheme,
    timeoutMs: config.api.timeoutMs,
    timeoutCapMs: config.api.timeoutCapMs,
    clock,
    random,
  };
}

const USER_AGENT = 'byteair-sync';

/** Connection-phase failures: the request never reached the server, so another host may take it. */
const FAILOVER_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * ByteAir data API client (got 14). One call is one HTTP request per host tried: got's own
 * retries are off because retries belong to the queue, which resends the same Request-Id.
 */
export class ByteairClient implements UploadApi {
  readonly #options: ByteairClientOptions;
  readonly #got: Got;
  readonly #agents: { http: HttpAgent; https: HttpsAgent };
  readonly #timeouts: AnswerTimeouts;
  /** Hosts that refused `Expect: 100-continue` with a 417: they get requests without it. */
  readonly #refusedExpectation = new Set<string>();

  constructor(options: ByteairClientOptions) {
    if (options.hosts.length === 0) throw new Error('ByteairClient needs at least one host');
    this.#options = options;
    this.#timeouts = new AnswerTimeouts({ floorMs: options.timeoutMs, capMs: options.timeoutCapMs ?? options.timeoutMs });
    const tls = { rejectUnauthorized: options.rejectUnauthorized ?? true, ...(options.ca === undefined ? {} : { ca: options.ca }) };
    this.#agents = {
      http: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
      https: new HttpsAgent({ keepAlive: true, maxSockets: 64, ...tls }),
    };
    this.#got = got.extend({
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      // Bodies are decoded by classify-response (gzip or not), the same path the vectors test.
      decompress: false,
      agent: this.#agents,
      https: { rejectUnauthorized: tls.rejectUnauthorized, ...(options.ca === undefined ? {} : { certificateAuthority: options.ca }) },
      // got would announce itself (`got (https://github.com/sindresorhus/got)`); the API
      // operator should see who calls. Not signed, so it cannot break the signature.
      headers: { 'user-agent': USER_AGENT },
    });
  }

  async writeData(request: WriteDataRequest): Promise<{ result: WriteResult; meta: CallMeta }> {
    const call: ApiCall = { kind: 'write', topic: request.topic, stage: request.stage, date: request.date, requestId: request.requestId, body: request.body };
    const { raw, meta } = await this.#send(call, request);
    return { result: classifyWriteResponse(raw, this.#options.clock.now()), meta };
  }

  async done(request: DoneRequest): Promise<{ result: DoneResult; meta: CallMeta }> {
    const call: ApiCall = { kind: 'done', topic: request.topic, stage: request.stage, requestId: request.requestId, body: encodeDoneBody(request.dates) };
    const { raw, meta } = await this.#send(call, request);
    return { result: classifyDoneResponse(raw, this.#options.clock.now()), meta };
  }

  /** The timeout the next call to `host` gets when it does not set its own, ms. */
  timeoutFor(host: string): number {
    return this.#timeouts.timeoutFor(host);
  }

  /** Closes pooled keep-alive sockets. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  #credentials(): SigningCredentials {
    const { auth } = this.#options;
    return auth.kind === 'volc' ? { kind: 'volc', ak: auth.ak, sk: auth.sk.reveal() } : { kind: 'air', token: auth.token.reveal() };
  }

  async #send(
    call: ApiCall,
    request: { signal?: AbortSignal; timeoutMs?: number; beforeSend?: BeforeSend; afterSend?: () => void },
  ): Promise<{ raw: RawResponse; meta: CallMeta }> {
    const { hosts, clock, random } = this.#options;
    const { signal } = request;
    const first = Math.floor(random() * hosts.length) % hosts.length;
    let lastError: ApiError | undefined;
    const credentials = this.#credentials();
    const digest = digestBody(credentials, call.body);
    for (let i = 0; i < hosts.length; i += 1) {
      const host = hosts[(first + i) % hosts.length] as string;
      const sign = (now: number): ReturnType<typeof buildRequest> =>
        buildRequest({
          call,
          scheme: this.#options.scheme,
          host,
          tenantId: this.#options.tenantId,
          applicationId: this.#options.applicationId,
          credentials,
          now,
          nonce: makeNonce(random),
          digest,
        });
      const unsigned = sign(clock.now());
      let started = clock.now();
      // An error of beforeSend (an aborted limiter wait) is the caller's, not a network failure.
      let hookError: { error: unknown } | undefined;
      const timeoutMs = request.timeoutMs ?? this.#timeouts.timeoutFor(host);
      try {
        const expectsContinue = !this.#refusedExpectation.has(host);
        const pending = this.#got.post(unsigned.url, {
          body: unsigned.body,
          // `Expect: 100-continue` asks the server for an interim answer on reading the headers:
          // its round trip is the path's without the server's work on the body, which is what
          // the limiter's margin must cover (path-spread.ts). The body goes at once, not after
          // it (RFC 9110 10.1.1 allows that), so it costs no round trip; unsigned, like user-agent.
          ...(expectsContinue ? { headers: { expect: '100-continue' } } : {}),
          responseType: 'buffer',
          timeout: { request: timeoutMs },
          ...(signal === undefined ? {} : { signal }),
          hooks: {
            beforeRequest: [
              async (options) => {
                try {
                  await request.beforeSend?.();
                } catch (error) {
                  hookError = { error };
                  throw error;
                }
                started = clock.now();
                for (const [name, value] of sign(started).headers) options.headers[name.toLowerCase()] = value;
              },
            ],
          },
        });
        const { afterSend } = request;
        let writtenAt: number | undefined;
        let continuedAt: number | undefined;
        void pending.on('request', (outgoing: ClientRequest) => {
          onRequestWritten(outgoing, () => {
            writtenAt = clock.now();
            afterSend?.();
          });
          outgoing.once('continue', () => {
            continuedAt = clock.now();
          });
        });
        const response = await pending;
        if (response.statusCode === HTTP_EXPECTATION_FAILED && expectsContinue) {
          // A front that does not do expectations; RFC 9110 15.5.18: repeat without one. The
          // repeat runs beforeSend again, so it takes a limiter slot of its own.
          this.#refusedExpectation.add(host);
          i -= 1;
          continue;
        }
        const raw: RawResponse = {
          httpStatus: response.statusCode,
          statusMessage: response.statusMessage ?? '',
          headers: response.headers,
          body: response.body,
        };
        const answeredAt = clock.now();
        this.#timeouts.answered(host, answeredAt - started);
        return {
          raw,
          meta: {
            host,
            httpStatus: response.statusCode,
            latencyMs: answeredAt - started,
            ...(writtenAt === undefined ? {} : { answerMs: answeredAt - writtenAt }),
            ...(writtenAt === undefined || continuedAt === undefined ? {} : { continueMs: Math.max(0, continuedAt - writtenAt) }),
          },
        };
      } catch (error) {
        if (hookError !== undefined) throw hookError.error;
        lastError = toApiError(error, host, timeoutMs);
        if (lastError instanceof UpstreamUnavailableError && lastError.reason === 'timeout') this.#timeouts.timedOut(host);
        if (!(error instanceof RequestError) || error.code === 'ERR_ABORTED' || !FAILOVER_CODES.has(error.code)) throw lastError;
      }
    }
    throw lastError ?? new UpstreamUnavailableError('network', 'no host could be reached');
  }
}

const HTTP_EXPECTATION_FAILED = 417;

function toApiError(error: unknown, host: string, timeoutMs: number): ApiError {
  if (!(error instanceof RequestError)) {
    return new UpstreamUnavailableError(
      'network',
      `request to ${host} failed: ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      { host },
      { cause: error },
    );
  }
  const code = error.code;
  if (code === 'ERR_ABORTED') return new RequestAbortedError(`request to ${host} was aborted`, { host }, { cause: error });
  if (error.name === 'TimeoutError' || code === 'ETIMEDOUT') {
    return new UpstreamUnavailableError('timeout', `request to ${host} timed out after ${timeoutMs} ms`, undefined, { host, errno: code }, { cause: error });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_READING_RESPONSE_STREAM') {
    return new UpstreamUnavailableError('reset', `connection to ${host} was reset`, undefined, { host, errno: code }, { cause: error });
  }
  if (code === 'ECONNREFUSED')
    return new UpstreamUnavailableError('refused', `connection to ${host} was refused`, undefined, { host, errno: code }, { cause: error });
  return new UpstreamUnavailableError('network', `request to ${host} failed (${code})`, undefined, { host, errno: code }, { cause: error });
}
