import { parseFleetCounters } from '../../dashboards/fleet-counters.js';

test('unexpected answers are read back per kind, topic, stage and answer; fields of another shape are ignored', () => {
  const counters = parseFleetCounters(
    new Map([
      ['unexpected_answers|write|item|history_sync|http_404', 3],
      ['unexpected_answers|done|item|history_sync|empty_body', 1],
      ['unexpected_answers|write|item', 9],
    ]),
  );
  expect(counters.unexpectedAnswers).toEqual([
    { kind: 'write', topic: 'item', stage: 'history_sync', answer: 'http_404', count: 3 },
    { kind: 'done', topic: 'item', stage: 'history_sync', answer: 'empty_body', count: 1 },
  ]);
});
