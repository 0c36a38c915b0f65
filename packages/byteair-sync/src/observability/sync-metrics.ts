/** What the pipeline reports as it works; the dashboard exports it to Prometheus. */
export interface SyncMetrics {
  /** One API call and how it ended (accepted, duplicate, partial, rate_limited, unavailable, rejected...). */
  apiCall(labels: { kind: 'write' | 'done'; topic: string; stage: string; outcome: string }, records: number, latencyMs: number): void;
  /** Records the API refused in 1001 answers. */
  rejectedRecords(topic: string, stage: string, count: number): void;
  limiterWait(ms: number): void;
  guardHold(topic: string, stage: string): void;
  /** One answer the protocol does not define (UnexpectedAnswerError.label: http_404, empty_body...). */
  unexpectedAnswer(labels: { kind: 'write' | 'done'; topic: string; stage: string; answer: string }): void;
}
