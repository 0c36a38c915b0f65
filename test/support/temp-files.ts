import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory for one test file's inputs; `remove()` deletes it (call it in afterAll). */
export interface TempDir {
  readonly path: string;
  /** Writes `content` to `name` inside the directory and returns the full path. */
  write(name: string, content: string | Buffer): string;
  remove(): void;
}

export function makeTempDir(label: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `byteair-${label}-`));
  return {
    path,
    write(name, content) {
      const file = join(path, name);
      writeFileSync(file, content);
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}
