/** A path through the emulator's network model: each way adds `delayMs` plus uniform(0, `jitterMs`). */
export interface NetworkPath {
  readonly delayMs: number;
  readonly jitterMs: number;
}

/** `40/60` or a comma list of them; `flag` names the bench flag in the error. */
export function parseNetworkPaths(text: string, flag: string): NetworkPath[] {
  return text.split(',').map((item) => {
    const m = /^(\d+)\/(\d+)$/.exec(item.trim());
    if (m === null) throw new Error(`${flag}: "${item}" must be delay/jitter in ms, e.g. 40/60`);
    return { delayMs: Number(m[1]), jitterMs: Number(m[2]) };
  });
}

/** The `byteair-sync emulator` flags for that path, the same both ways. */
export function networkPathArgs(p: NetworkPath): string[] {
  const ms = (n: number): string => String(n);
  return ['--in-delay-ms', ms(p.delayMs), '--in-jitter-ms', ms(p.jitterMs), '--out-delay-ms', ms(p.delayMs), '--out-jitter-ms', ms(p.jitterMs)];
}
