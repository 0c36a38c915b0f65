/**
 * Whether this Node.js is one the package supports. The range is package.json's
 * `engines.node`, which npm only warns about; the CLI refuses to start outside it with one line
 * instead of failing later on a missing API. Only the `>=major.minor[.patch]` form is used.
 */
export function nodeSupportProblem(range: string, running: string): string | undefined {
  const wanted = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (wanted === null) return `package.json engines.node is "${range}"; expected the form >=MAJOR.MINOR`;
  const have = /^v?(\d+)\.(\d+)\.(\d+)/.exec(running);
  if (have === null) return `cannot read the Node.js version "${running}"`;
  const need = [1, 2, 3].map((i) => Number(wanted[i] ?? 0));
  const got = [1, 2, 3].map((i) => Number(have[i]));
  for (let i = 0; i < 3; i += 1) {
    const g = got[i] ?? 0;
    const n = need[i] ?? 0;
    if (g > n) return undefined;
    if (g < n) return `byteair-sync needs Node.js ${range.trim()}; this is ${running}. Install a supported Node.js (https://nodejs.org) and run it again.`;
  }
  return undefined;
}
