import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeKubeloginCache } from '../../src/cache/kubelogin-cache.js';

describe('removeKubeloginCache', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("removes int128's entries and their locks only: never another shape, a link, or a lock whose entry stays", () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelogin-cache-'));
    dirs.push(dir);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((x) => x.repeat(64)) as [string, string, string, string];
    writeFileSync(join(dir, a), '{"id_token":"x","refresh_token":"y"}');
    writeFileSync(join(dir, `${a}.lock`), '');
    writeFileSync(join(dir, b), '{"id_token":"x","other":1}');
    writeFileSync(join(dir, `${b}.lock`), '');
    writeFileSync(join(dir, `${c}.lock`), '');
    symlinkSync(join(dir, a), join(dir, d));
    writeFileSync(join(dir, 'together-login-v1-x.json'), '{"id_token":"x"}');
    expect(removeKubeloginCache(dir)).toEqual([a, `${a}.lock`, `${c}.lock`]);
    expect(readdirSync(dir).sort()).toEqual([b, `${b}.lock`, d, 'together-login-v1-x.json'].sort());
    expect(removeKubeloginCache(join(dir, 'missing'))).toEqual([]);
  });
});
