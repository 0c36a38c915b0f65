import { channel } from 'node:diagnostics_channel';

/**
 * A diagnostics channel (node:diagnostics_channel) on which every upload request that went out
 * is published with its limiter booking: how late it left after its booked start is the part
 * of the arrival spread the client makes, which the limiter's margin must cover together with
 * the network's. Publishing costs nothing while nobody subscribes; the bench's http tap does.
 */
export const SEND_TIMING_CHANNEL = 'byteair-sync:request-sent';

export interface SendTiming {
  readonly requestId: string;
  readonly records: number;
  /** Booked start, Redis epoch ms. */
  readonly bookedAt: number;
  /** Redis epoch ms at which the holder confirmed it woke on time. */
  readonly confirmedAt: number;
  /** How late (ms) the request was on the wire after its booked start (the limiter's SENT). */
  readonly lateMs: number;
}

const sendTiming = channel(SEND_TIMING_CHANNEL);

export function publishSendTiming(timing: SendTiming): void {
  if (sendTiming.hasSubscribers) sendTiming.publish(timing);
}
