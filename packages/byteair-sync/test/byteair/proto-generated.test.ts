import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRODUCT_ROOT, PROJECT_ROOT } from '../../../../test/support/shared.js';
import { makeTempDir, type TempDir } from '../../../../test/support/temp-files.js';

/**
 * src/byteair/generated/ is committed (builds need no buf binary), so this regenerates it
 * from src/byteair/proto/ with the pinned buf and protoc-gen-es and fails on any difference:
 * an edited .proto, buf.gen.yaml or plugin version without `npm run proto` cannot land.
 */
const GENERATED = 'src/byteair/generated';

function filesUnder(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
}

describe('generated protobuf code', () => {
  let out: TempDir;
  beforeAll(() => {
    out = makeTempDir('proto-gen');
  });
  afterAll(() => {
    out.remove();
  });

  test('is what `npm run proto` generates from the .proto files', () => {
    const buf = join(PROJECT_ROOT, 'node_modules', '@bufbuild', 'buf', 'bin', 'buf');
    execFileSync(process.execPath, [buf, 'generate', '--output', out.path], { cwd: PRODUCT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const fresh = filesUnder(join(out.path, GENERATED));
    const committed = filesUnder(join(PRODUCT_ROOT, GENERATED));
    expect([...committed.keys()]).toEqual([...fresh.keys()]);
    for (const [name, text] of fresh) expect({ name, text: committed.get(name) }).toEqual({ name, text });
  });
});
