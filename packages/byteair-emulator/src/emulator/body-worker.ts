import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { BodyJobMessage, BodyResultMessage } from './body-thread-messages.js';
import { createBodyJudge } from './body-verdict.js';
import { BodyWorkerError } from './emulator-errors.js';
import { inflateOnThisThread } from './request-body.js';

/** Entry of a body worker thread (started by body-judge.ts): judges one body per message. */
const port = parentPort;
if (port === null) throw new BodyWorkerError('body-worker.js runs only as a worker thread');
// The API stamps a request's arrival at its front door whatever bodies cost to parse behind it.
// Here the stamping main thread and these parsing threads share the machine's cores, so this
// thread gives way: on Linux a thread's nice value is its own (pid 0 = the calling thread),
// and raising it needs no privilege. Where that is not so, parsing just keeps equal priority.
try {
  setPriority(0, 19);
} catch {
  // Not permitted or not supported: stamps may then wait behind parsing, as before.
}
const judge = createBodyJudge(inflateOnThisThread);
port.on('message', (message: BodyJobMessage) => {
  void judge(message.job).then(
    (verdict) => port.postMessage({ id: message.id, verdict } satisfies BodyResultMessage),
    (error: unknown) => port.postMessage({ id: message.id, failure: error instanceof Error ? error.message : String(error) } satisfies BodyResultMessage),
  );
});
