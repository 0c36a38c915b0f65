import { readFileSync } from 'node:fs';

/**
 * VmHWM (the kernel's own high-water mark, so no sampling gap can miss a spike) and VmRSS of a
 * live process, in bytes, from /proc/<pid>/status; undefined once it is gone or off Linux.
 */
export function memoryOf(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    const memory = { hwm: kib('VmHWM'), rss: kib('VmRSS') };
    // A zombie has no memory map left: its figures are gone, not zero.
    return Number.isNaN(memory.hwm) ? undefined : memory;
  } catch {
    return undefined;
  }
}
