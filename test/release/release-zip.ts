/** The release zips of `npm run release` (release/) as the release tests read them: entries, and one taken out. */
import { chmodSync, createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import {
  executableName,
  type ReleaseTarget,
  releaseTargets,
  zipName,
} from '../../scripts/release/targets.mjs';
import { repoRoot } from '../rig/build.js';
import { requirement } from '../rig/requirement.js';

export const releaseDir = join(repoRoot, 'release');

/** Whether `npm run release` built these targets: under CI=true a missing one fails the file (.ci/run builds all). */
export function releaseBuilt(targets: readonly ReleaseTarget[] = releaseTargets): boolean {
  return requirement(
    targets.every((t) => existsSync(join(releaseDir, zipName(t)))),
    {
      underCi: 'release/ is incomplete: .ci/run runs `npm run release` first',
      skipping: 'the release checks: run `npm run release` first',
    },
  );
}

export const releaseTarget = (name: string): ReleaseTarget => {
  const target = releaseTargets.find((t) => `${t.os}_${t.arch}` === name);
  if (!target) throw new Error(`no release target ${name}`);
  return target;
};

/** Takes a target's executable out of its zip into `dir`, executable; returns its path. */
export async function extractExecutable(target: ReleaseTarget, dir: string): Promise<string> {
  const path = join(dir, executableName(target));
  const { extract } = await zipEntries(join(releaseDir, zipName(target)));
  await extract(executableName(target), path);
  chmodSync(path, 0o755);
  return path;
}

interface ZipEntryInfo {
  readonly name: string;
  readonly unixMode: number;
  readonly madeByUnix: boolean;
}

export function zipEntries(
  zipPath: string,
): Promise<{ entries: ZipEntryInfo[]; extract(name: string, to: string): Promise<void> }> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true, autoClose: false }, (error, zip) => {
      if (error) return reject(error);
      const raw: yauzl.Entry[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        raw.push(entry);
        zip.readEntry();
      });
      zip.on('end', () =>
        resolve({
          entries: raw.map((e) => ({
            name: e.fileName,
            unixMode: e.externalFileAttributes >>> 16,
            madeByUnix: e.versionMadeBy >> 8 === 3,
          })),
          extract: (name, to) =>
            new Promise((done, fail) => {
              const entry = raw.find((e) => e.fileName === name);
              if (!entry) return fail(new Error(`${name} not in ${zipPath}`));
              zip.openReadStream(entry, (streamError, stream) => {
                if (streamError) return fail(streamError);
                pipeline(stream, createWriteStream(to)).then(done, fail);
              });
            }),
        }),
      );
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
