import type { Arrival } from './arrival-log.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidInputError } from 'byteair-sync/internal/src/errors/invalid-input-error.js';
import { handleAdmin, OUTAGE_MODES, type AdminTarget, type OutageMode } from './admin-routes.js';
import { encodeAnswer } from './api-answer.js';
import { handleApiRequest, type ApiContext } from './api-handler.js';
import { startBodyJudge, type BodyJudge } from './body-judge.js';
import { Countdown } from './countdown.js';
import { EmulatorClosedError, EmulatorListenError } from './emulator-errors.js';
import { resolveEmulatorOptions, type EmulatorOptions, type ResolvedEmulatorOptions } from './emulator-options.js';
import { EmulatorState } from './emulator-state.js';
import type { EmulatorStats } from './emulator-stats.js';
import { drawFault, drawLatencyMs, mergeFaults, type FaultAction, type Faults, type FaultsPatch } from './faults.js';
import { hasPathDelay, NetworkModel } from './network-model.js';
import { oddAnswerReply, type OddAnswer } from './odd-answers.js';
import { headerOf, readBody, sendJson, sendJsonPieces, sendText } from './http-io.js';
import { CredentialIndex } from './request-auth.js';
import { routeOf, splitUrl, type Route } from './request-route.js';

/** A period of downtime or 429s; `ended` settles when it is over (or was ended early). */
export interface DowntimeHandle {
  readonly seconds: number;
  readonly ended: Promise<void>;
}

export interface OutageHandle extends DowntimeHandle {
  readonly mode: OutageMode;
}

export interface RunningEmulator {
  /** `http://host:port`, the base URL of the API and of the admin endpoint (/__emulator/). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  stats(): EmulatorStats;
  /** Accepted ids of a topic and how often each was accepted (a live, read-only view). */
  ledger(topic: string): ReadonlyMap<string, number>;
  /** The latest arrivals counted in the rate windows (to trace an excess to its requests). */
  arrivals(): readonly Arrival[];
  faults(): Faults;
  /** Merges a patch into the current faults (validated as a whole); returns the result. */
  setFaults(patch: FaultsPatch): Faults;
  /**
   * Takes the API down for `seconds`: `refuse` closes the listening socket and every open
   * connection and listens again on the same port afterwards; `503` answers HTTP 503 with
   * Retry-After; `reset` resets each connection. Resolves once the outage is in effect.
   */
  scheduleOutage(seconds: number, mode?: OutageMode): Promise<OutageHandle>;
  /** Answers every write and done with 429 for `seconds`. */
  startStorm(seconds: number): DowntimeHandle;
  /** Back to the state right after start: stats, ledger, dates, Request-Ids, faults; ends outages and storms. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const RECEIVED_HEADERS_TIMEOUT_MS = 60_000;
/**
 * Idle keep-alive sockets are kept longer than node's 5 s default, which races with clients
 * that reuse a pooled socket just as the server drops it (a spurious ECONNRESET that would
 * look like an injected fault).
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

class Emulator implements RunningEmulator, AdminTarget {
  readonly #options: ResolvedEmulatorOptions;
  readonly #state: EmulatorState;
  readonly #server: Server;
  readonly #context: ApiContext;
  readonly #bodies: BodyJudge;
  #faults: Faults;
  readonly #network: NetworkModel;
  /** Odd answers given since `oddAnswer` was last set (for `oddAnswerTimes`). */
  #oddAnswersGiven = 0;
  #outage: { mode: OutageMode; countdown: Countdown } | undefined;
  #storm: Countdown | undefined;
  #port: number;
  #listening = false;
  #closed = false;
  /** Wakes everything that waits on a timer (latency, hangs) when the emulator closes. */
  readonly #wakers = new Set<() => void>();

  constructor(options: ResolvedEmulatorOptions) {
    this.#options = options;
    this.#state = new EmulatorState(options);
    this.#faults = options.faults;
    this.#network = new NetworkModel(options.random);
    this.#port = options.port;
    this.#server = createServer(
      { headersTimeout: RECEIVED_HEADERS_TIMEOUT_MS, requestTimeout: 0, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS },
      (req, res) => void this.#onRequest(req, res, false),
    );
    // Node would answer `Expect: 100-continue` at once, before the path's delays; the API's
    // interim answer travels the path as any answer does.
    this.#server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => void this.#onRequest(req, res, true));
    const credentials = new CredentialIndex(options.tenants);
    this.#bodies = startBodyJudge(options.bodyThreads);
    this.#context = {
      options,
      state: this.#state,
      credentials,
      recordRules: () => this.#faults.recordRejections,
      judgeBody: this.#bodies.judge,
      stormSecondsLeft: () => (this.#storm?.running === true ? this.#storm.secondsLeft() : undefined),
    };
  }

  get host(): string {
    return this.#options.host;
  }

  get port(): number {
    return this.#port;
  }

  /** Worker threads judging bodies; 0 when inline (asked for, or running from the TypeScript sources). */
  get bodyThreads(): number {
    return this.#bodies.threads;
  }

  get url(): string {
    const host = this.#options.host.includes(':') ? `[${this.#options.host}]` : this.#options.host;
    return `http://${host}:${this.#port}`;
  }

  stats(): EmulatorStats {
    return this.#state.snapshot();
  }

  arrivals(): readonly Arrival[] {
    return this.#state.arrivals.list();
  }

  ledger(topic: string): ReadonlyMap<string, number> {
    if (!this.#options.topics.has(topic))
      throw new InvalidInputError('topic', topic, `is not one of the topics (${[...this.#options.topics.keys()].join(', ')})`);
    return this.#state.ledger.ids(topic);
  }

  faults(): Faults {
    return this.#faults;
  }

  setFaults(patch: FaultsPatch | Record<string, unknown>): Faults {
    if (this.#closed) throw new EmulatorClosedError('change faults');
    const merged = mergeFaults(this.#faults, patch);
    if ('oddAnswer' in patch || 'oddAnswerTimes' in patch) this.#oddAnswersGiven = 0;
    this.#faults = merged;
    return merged;
  }

  health(): Record<string, unknown> {
    return {
      ok: true,
      url: this.url,
      outage: this.#outage === undefined ? null : { mode: this.#outage.mode, secondsLeft: this.#outage.countdown.secondsLeft() },
      storm: this.#storm?.running === true ? { secondsLeft: this.#storm.secondsLeft() } : null,
    };
  }

  async scheduleOutage(seconds: number, mode: OutageMode = 'refuse'): Promise<OutageHandle> {
    if (this.#closed) throw new EmulatorClosedError('schedule an outage');
    checkSeconds(seconds);
    if (!OUTAGE_MODES.includes(mode)) throw new InvalidInputError('mode', mode, `must be one of ${OUTAGE_MODES.join(', ')}`);
    await this.#endOutage();
    const countdown = new Countdown(seconds * 1000, () => this.#afterOutage(mode));
    this.#outage = { mode, countdown };
    if (mode === 'refuse') await this.#stopListening();
    this.#options.logger?.info({ mode, seconds }, 'emulator: outage started');
    return { mode, seconds, ended: countdown.ended };
  }

  startStorm(seconds: number): DowntimeHandle {
    if (this.#closed) throw new EmulatorClosedError('start a storm');
    checkSeconds(seconds);
    void this.#storm?.end(() => undefined);
    const storm = new Countdown(seconds * 1000, () => undefined);
    this.#storm = storm;
    return { seconds, ended: storm.ended };
  }

  async reset(): Promise<void> {
    await this.#endOutage();
    await this.#storm?.end(() => undefined);
    this.#storm = undefined;
    this.#state.reset();
    this.#faults = this.#options.faults;
    this.#oddAnswersGiven = 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#storm?.end(() => undefined);
    await this.#outage?.countdown.end(() => undefined);
    this.#outage = undefined;
    for (const wake of this.#wakers) wake();
    await this.#stopListening();
    await this.#bodies.close();
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(new EmulatorListenError(this.#options.host, this.#port, error));
      this.#server.once('error', onError);
      this.#server.listen(this.#port, this.#options.host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#listening = true;
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async #stopListening(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #endOutage(): Promise<void> {
    const outage = this.#outage;
    if (outage !== undefined) await outage.countdown.end(() => this.#afterOutage(outage.mode));
  }

  async #afterOutage(mode: OutageMode): Promise<void> {
    this.#outage = undefined;
    if (mode !== 'refuse' || this.#closed) return;
    // The port was ours a moment ago; retry briefly in case the OS is slow to release it.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.listen();
        this.#options.logger?.info({ port: this.#port }, 'emulator: outage over, listening again');
        return;
      } catch (error) {
        if (attempt >= 50 || this.#closed) {
          this.#options.logger?.error({ err: error }, 'emulator: cannot listen again after the outage');
          return;
        }
        await this.#sleep(100);
      }
    }
  }

  /** Resolves after `ms`, or at once when the emulator closes. */
  #sleep(ms: number, alsoWhen?: (wake: () => void) => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakers.add(wake);
      alsoWhen?.(wake);
    });
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Promise<void> {
    let arrivedAt = this.#options.monotonicNow();
    try {
      const url = splitUrl(req.url ?? '/');
      const route = routeOf(url);
      if (expectsContinue && (route.kind === 'admin' || route.kind === 'metrics')) res.writeContinue();
      if (route.kind === 'admin') {
        const body = (await readBody(req, 1024 * 1024)) ?? Buffer.alloc(0);
        const answer = await handleAdmin(route.action, req.method ?? 'GET', url.query, body, this);
        if (answer.after !== undefined) res.once('finish', answer.after);
        if ('pieces' in answer) await sendJsonPieces(res, answer.status, answer.pieces);
        else sendJson(res, answer.status, answer.body);
        return;
      }
      if (route.kind === 'metrics') {
        await readBody(req, this.#options.maxBodyBytes);
        sendText(res, 200, '');
        return;
      }
      if (hasPathDelay(this.#faults)) {
        // The way in: the API sees (and stamps) the request only once it is through.
        arrivedAt = this.#network.arrival(req.socket, arrivedAt, this.#faults);
        const wait = arrivedAt - this.#options.monotonicNow();
        if (wait > 0) await this.#sleep(wait);
      }
      if (expectsContinue) void this.#continueBack(req, res);
      this.#state.count('requestsReceived');
      if (this.#outage !== undefined) {
        if (this.#outage.mode === 'reset') {
          this.#state.countFault('outageReset');
          req.socket.resetAndDestroy();
          return;
        }
        this.#state.countFault('outage503');
        await readBody(req, this.#options.maxBodyBytes);
        sendText(res, 503, 'Service Unavailable (emulated outage)', { 'Retry-After': String(this.#outage?.countdown.secondsLeft() ?? 1) });
        return;
      }
      await this.#onApiRequest(req, res, route, url, arrivedAt);
    } catch (error) {
      if (req.destroyed) return;
      this.#options.logger?.error({ err: error, url: req.url }, 'emulator: request failed');
      sendText(res, 500, 'emulator error');
    }
  }

  async #onApiRequest(req: IncomingMessage, res: ServerResponse, route: Route, url: ReturnType<typeof splitUrl>, arrivedAt: number): Promise<void> {
    if ((route.kind !== 'write' && route.kind !== 'done') || req.method !== 'POST') {
      this.#state.count('notFound');
      await readBody(req, this.#options.maxBodyBytes);
      sendText(res, 404, `no ByteAir endpoint ${req.method ?? ''} ${url.path}`);
      return;
    }
    const body = await readBody(req, this.#options.maxBodyBytes);
    if (body === undefined) {
      sendText(res, 413, `request body above ${this.#options.maxBodyBytes} bytes`, { Connection: 'close' });
      return;
    }
    const faults = this.#faults;
    const odd = this.#takeOddAnswer();
    const fault = odd === undefined ? drawFault(faults, this.#options.random) : 'none';
    if (odd !== undefined && !faults.afterApply) {
      await this.#sendOddAnswer(req, res, odd);
      return;
    }
    if (fault !== 'none' && !faults.afterApply) {
      await this.#strike(fault, req, res);
      return;
    }
    const answer = await handleApiRequest(
      {
        call: route.kind,
        method: req.method,
        path: url.path,
        query: url.query,
        applicationId: route.applicationId,
        topic: route.topic,
        stage: route.stage,
        header: (name) => headerOf(req, name),
        body,
        arrivedAt,
      },
      this.#context,
    );
    if (odd !== undefined) {
      await this.#sendOddAnswer(req, res, odd);
      return;
    }
    if (fault !== 'none') {
      await this.#strike(fault, req, res);
      return;
    }
    const latencyMs = drawLatencyMs(faults, this.#options.random);
    if (latencyMs > 0) {
      this.#state.countFault('delayed');
      await this.#sleep(latencyMs);
    }
    const encoded = await encodeAnswer(answer, {
      accept: headerOf(req, 'accept'),
      contentType: headerOf(req, 'content-type'),
      acceptEncoding: headerOf(req, 'accept-encoding'),
    });
    await this.#wayBack(req);
    if (res.destroyed) return;
    res.writeHead(answer.httpStatus, { ...encoded.headers, 'Content-Length': String(encoded.body.length) });
    res.end(encoded.body);
    this.#options.logger?.debug({ path: url.path, code: answer.status.code, httpStatus: answer.httpStatus }, 'emulator: answered');
  }

  /** The odd answer this request gets, if the fault is set and its count is not used up. */
  #takeOddAnswer(): OddAnswer | undefined {
    const { oddAnswer, oddAnswerTimes } = this.#faults;
    if (oddAnswer === null || (oddAnswerTimes > 0 && this.#oddAnswersGiven >= oddAnswerTimes)) return undefined;
    this.#oddAnswersGiven += 1;
    return oddAnswer;
  }

  /** The way back: holds a ready answer for the path's outbound delay, in its connection's order. */
  async #wayBack(req: IncomingMessage): Promise<void> {
    if (!hasPathDelay(this.#faults)) return;
    const leaveAt = this.#network.departure(req.socket, this.#options.monotonicNow(), this.#faults);
    const wait = leaveAt - this.#options.monotonicNow();
    if (wait > 0) await this.#sleep(wait);
  }

  /** The interim `100 Continue` for a request just stamped, sent back over the path before its answer. */
  async #continueBack(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await this.#wayBack(req);
    if (!res.destroyed && !res.headersSent) res.writeContinue();
  }

  async #sendOddAnswer(req: IncomingMessage, res: ServerResponse, answer: OddAnswer): Promise<void> {
    this.#state.countFault('oddAnswer');
    await this.#wayBack(req);
    const reply = oddAnswerReply(answer);
    if (res.destroyed) return;
    res.writeHead(reply.httpStatus, { ...reply.headers, 'Content-Length': String(reply.body.length) });
    res.end(reply.body);
  }

  async #strike(fault: Exclude<FaultAction, 'none'>, req: IncomingMessage, res: ServerResponse): Promise<void> {
    switch (fault) {
      case 'http500':
        this.#state.countFault('http500');
        sendText(res, 500, 'Internal Server Error (emulated)');
        return;
      case 'http503':
        this.#state.countFault('http503');
        sendText(res, 503, 'Service Unavailable (emulated)');
        return;
      case 'reset':
        this.#state.countFault('reset');
        req.socket.resetAndDestroy();
        return;
      case 'hang':
        this.#state.countFault('hang');
        // Held until hangMs, the client giving up, or close(); then dropped without an answer.
        await this.#sleep(this.#faults.hangMs, (wake) => req.socket.once('close', wake));
        req.socket.destroy();
        return;
    }
  }
}

function checkSeconds(seconds: number): void {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new InvalidInputError('seconds', seconds, 'must be a number of seconds above 0 and at most 86400');
  }
}

/**
 * Starts a local ByteAir data API (write and done, protocol-faithful) with stats, an id
 * ledger and fault injection. Options are validated before anything listens.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const resolved = resolveEmulatorOptions(options);
  const emulator = new Emulator(resolved);
  try {
    await emulator.listen();
  } catch (error) {
    // The body threads are running already and would keep the process alive.
    await emulator.close();
    throw error;
  }
  resolved.logger?.info(
    { bodyThreads: emulator.bodyThreads, requested: resolved.bodyThreads },
    'emulator: request bodies judged on worker threads (0 = on the main thread)',
  );
  return emulator;
}
