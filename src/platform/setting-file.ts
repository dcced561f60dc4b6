/**
 * Files a setting names (a CA file, the CI token file, the callback server's certificate and key), read so that no path
 * can hang the plugin or exhaust its memory (a kubeconfig or a cluster entry written by someone else may give the
 * path): a FIFO would block open() until a writer comes (kubectl gives up, the plugin stays), /dev/zero never ends. As
 * for the cache's own files (src/cache/disk-store.ts), the file is opened with O_NONBLOCK, fstat must find a regular
 * file, and at most settingFileMaxBytes are read.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { kindNames, kindOf } from './file-kind.js';

/** Far above any CA bundle, token or certificate (the system's whole CA bundle is about 200 KB). */
export const settingFileMaxBytes = 1024 * 1024;

/** Opens for reading without waiting: O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer. */
export function openWithoutWaiting(path: string, extraFlags = 0): number {
  return openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | extraFlags);
}

/** Why a setting's file was not read; `problem` completes a sentence about the path ("… is a FIFO (named pipe)"). */
export class UnreadableFile extends Error {
  constructor(
    readonly problem: string,
    /** The errno code (ENOENT, EACCES …), or undefined when the file was opened but refused. */
    readonly code: string | undefined,
    cause?: unknown,
  ) {
    super(problem, { cause });
    this.name = 'UnreadableFile';
  }
}

/** The whole file, as text; throws UnreadableFile when it is missing, not a regular file, or larger than the cap. */
export function readSettingFile(path: string, maxBytes = settingFileMaxBytes): string {
  let fd: number;
  try {
    fd = openWithoutWaiting(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnreadableFile(openProblem(code, error), code, error);
  }
  try {
    const kind = kindOf(fstatSync(fd));
    if (kind !== 'file') throw new UnreadableFile(`is ${kindNames[kind]}, not a regular file`, undefined);
    const bytes = readUpTo(fd, maxBytes);
    if (!bytes) throw new UnreadableFile(`is larger than ${describeBytes(maxBytes)}`, undefined);
    return bytes.toString('utf8');
  } catch (error) {
    if (error instanceof UnreadableFile) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnreadableFile(`cannot be read (${code ?? (error as Error).message})`, code, error);
  } finally {
    closeSync(fd);
  }
}

function openProblem(code: string | undefined, error: unknown): string {
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EISDIR':
      return `is ${kindNames.directory}, not a regular file`;
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied)';
    case 'ENXIO':
      // Opening a socket (or a device without its driver) for reading.
      return `is ${kindNames.other}`;
    default:
      return `cannot be read (${code ?? (error as Error).message})`;
  }
}

/** The file's bytes to its end, or undefined as soon as it holds more than maxBytes (its size may lie: /proc). */
function readUpTo(fd: number, maxBytes: number): Buffer | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, read));
    total += read;
    if (total > maxBytes) return undefined;
  }
}

function describeBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
}
