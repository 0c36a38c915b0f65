import { parentPort } from 'node:worker_threads';
import type { BodyJobMessage, BodyResultMessage } from './body-thread-messages.js';
import { createBodyJudge } from './body-verdict.js';
import { BodyWorkerError } from './emulator-errors.js';
import { inflateOnThisThread } from './request-body.js';

/** Entry of a body worker thread (started by body-judge.ts): judges one body per message. */
const port = parentPort;
if (port === null) throw new BodyWorkerError('body-worker.js runs only as a worker thread');
const judge = createBodyJudge(inflateOnThisThread);
port.on('message', (message: BodyJobMessage) => {
  void judge(message.job).then(
    (verdict) => port.postMessage({ id: message.id, verdict } satisfies BodyResultMessage),
    (error: unknown) => port.postMessage({ id: message.id, failure: error instanceof Error ? error.message : String(error) } satisfies BodyResultMessage),
  );
});
