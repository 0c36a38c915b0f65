import { ByteairClient, clientOptionsFrom } from '../byteair/client.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config/config.js';

/** One direct API call from the command line: the client, and Ctrl-C wired to abort it. */
export interface ApiSession {
  readonly client: ByteairClient;
  readonly applicationId: string;
  /** Aborted on SIGINT/SIGTERM, so an interrupted call ends as REQUEST_ABORTED, not a hang. */
  readonly signal: AbortSignal;
  close(): void;
}

/** Composition root of the direct commands: the only place they read the real clock and randomness. */
export function openApiSession(config: Config): ApiSession {
  const options = clientOptionsFrom(config, systemClock, Math.random);
  const client = new ByteairClient(options);
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    client,
    applicationId: options.applicationId,
    signal: controller.signal,
    close() {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
      client.close();
    },
  };
}
