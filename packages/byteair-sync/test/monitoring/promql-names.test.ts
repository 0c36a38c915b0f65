import { metricNamesIn } from './support/promql-names.js';

describe('metricNamesIn', () => {
  test.each([
    ['up{job="byteair-sync"} == 0', ['up']],
    [
      'sum(rate(byteair_rate_limited_total[5m])) / sum(rate(byteair_api_requests_total[5m])) > 0.01',
      ['byteair_rate_limited_total', 'byteair_api_requests_total'],
    ],
    ['max by (topic) (a_seconds) > 3600 and on (topic) max by (topic) (b_allowed) == 0', ['a_seconds', 'b_allowed']],
    ['histogram_quantile(0.99, sum by (le, kind) (rate(x_bucket{kind=~"write|done"}[$__rate_interval])))', ['x_bucket']],
    ['used / (max_bytes > 0) offset 5m', ['used', 'max_bytes']],
    ['label_replace(m, "dst", "$1", "src", "(by|on)")', ['m']],
    ['1000 * rate(w_total[${__rate_interval}]) / rate(n_total[1h:5m]) > 1e3', ['w_total', 'n_total']],
    ['sum without (stage) (q) unless ignoring (kind) group_left (topic) r', ['q', 'r']],
  ])('%s', (expr, names) => {
    expect(metricNamesIn(expr)).toEqual(names);
  });

  test('a misspelt metric is reported as a name, not taken for a function or a keyword', () => {
    expect(metricNamesIn('max(byteair_circut_state{state="closed"}) == 0')).toEqual(['byteair_circut_state']);
  });
});
