/**
 * The token of `--ci-token-source=file:<path>`, read once per run: its hash is part of the cache key (a runner that
 * writes the next job's token to the same path gets a miss, never the previous job's token), and the login hands
 * over that same content. Small and free of the network code, because the cache hit reads it too.
 */
import { AppError } from '../app-error.js';
import { readSettingFile } from '../platform/setting-file.js';

export function readCiTokenFile(
  path: string,
  readFile: (path: string) => string = (file) => readSettingFile(file),
): string {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    // readFile reads as every setting's file (src/platform/setting-file.ts): its `problem` says what is there.
    const { code, problem } = error as { code?: string; problem?: string };
    const missing = code === 'ENOENT';
    throw new AppError(
      'ci-token.file',
      `the CI token file ${path} ${missing ? 'does not exist' : (problem ?? `cannot be read (${code ?? (error as Error).message})`)}`,
      {
        hint:
          missing || code !== undefined
            ? 'mount the token there, e.g. a projected volume with sources: serviceAccountToken: {path, audience}, or fix --ci-token-source=file:<path>'
            : 'point --ci-token-source=file:<path> at the token itself (a regular file of at most 1 MB)',
        cause: error,
      },
    );
  }
  const token = text.trim();
  if (token === '')
    throw new AppError('ci-token.file', `the CI token file ${path} is empty`, {
      hint: 'whoever writes the token (the kubelet, a sidecar) has not written it yet, or --ci-token-source points at the wrong file',
    });
  return token;
}
