/**
 * The kubeconfig files kubectl would use, read and written the way `setup` and `convert-kubeconfig` need: the
 * KUBECONFIG list (or ~/.kube/config), each entry written into the file that already defines its name (kubectl's
 * merge lets the first file win, so writing the name anywhere else would change nothing), atomically, with the
 * previous file kept as <file>.bak-<time>, readable by its owner only.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { AppError, cutForMessage } from '../app-error.js';
import type { Section, YamlModule } from '../kube/kubeconfig-edit.js';
import { type KubeconfigFile, mergedEntries } from '../kube/kubeconfig-read.js';
import { kubeHomeDir } from '../platform/home.js';
import { requireNative } from '../platform/native-require.js';
import { replaceFileSync } from '../platform/replace-file.js';
import { readSettingFile, UnreadableFile } from '../platform/setting-file.js';

export function loadYaml(): YamlModule {
  return requireNative('yaml') as YamlModule;
}

/** Far above any real kubeconfig (a thousand clusters with their CA data is about 5 MB), far below a memory problem. */
const kubeconfigMaxBytes = 32 * 1024 * 1024;

/**
 * The files of KUBECONFIG in order, or ~/.kube/config, or only `explicit`; missing files read as empty. Each is read
 * as a setting's file is (platform/setting-file.ts): a FIFO or a device in the list is exit 2 naming it, not a
 * setup that hangs or a convert that fills the memory.
 */
export function readKubeconfigFiles(env: NodeJS.ProcessEnv, explicit?: string): KubeconfigFile[] {
  const listed = explicit ? [explicit] : (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const paths = listed.length > 0 ? listed : [join(kubeHomeDir(process.platform, env), '.kube', 'config')];
  return [...new Set(paths)].map((path) => ({
    path,
    text: readKubeconfigText(path, explicit !== undefined),
  }));
}

function readKubeconfigText(path: string, explicit: boolean): string {
  try {
    return readSettingFile(path, kubeconfigMaxBytes);
  } catch (error) {
    if (!(error instanceof UnreadableFile)) throw error;
    if (error.code === 'ENOENT') return '';
    throw new AppError('kubeconfig.unreadable', `the kubeconfig ${cutForMessage(path)} ${error.problem}`, {
      hint: explicit
        ? 'give --kubeconfig the path of a kubeconfig file'
        : 'point KUBECONFIG at kubeconfig files only (kubectl reads the same list)',
      cause: error,
    });
  }
}

/** The file an entry of this name belongs in: the one defining it already, else the first. */
export function fileFor(
  yaml: YamlModule,
  files: readonly KubeconfigFile[],
  section: Section,
  name: string,
): string {
  return mergedEntries(yaml, files, section).get(name)?.file ?? (files[0] as KubeconfigFile).path;
}

/**
 * Replaces a file's text atomically, keeping its mode; returns the backup's path ('' for a new file). The backup
 * keeps what the new text drops (convert-kubeconfig moves secrets and tokens out), so it gets the file's mode cut to
 * 0600 at most: a 0644 kubeconfig's backup is not left readable by everyone. Created with that mode (never wider for
 * a moment) and only as a new file, so nothing already at its name is followed or overwritten.
 */
export function replaceKubeconfigFile(listedPath: string, text: string): string {
  // A kubeconfig is often a symlink into a dotfiles repository: the new text goes to the file it points at, as
  // kubectl's own `config set` writes it, instead of replacing the link with a copy.
  const path = existsSync(listedPath) ? realpathSync(listedPath) : listedPath;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const exists = existsSync(path);
  const mode = exists ? statSync(path).mode & 0o777 : 0o600;
  const backup = exists ? writeBackup(path, mode & 0o600) : '';
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  try {
    replaceFileSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return backup;
}

/** A new file beside `path` with its bytes; a second backup within the same millisecond gets a number. */
function writeBackup(path: string, mode: number): string {
  const stamp = `${path}.bak-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const bytes = readFileSync(path);
  for (let n = 1; ; n++) {
    const backup = n === 1 ? stamp : `${stamp}-${n}`;
    try {
      writeFileSync(backup, bytes, { mode, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && n < 100) continue;
      throw error;
    }
    // The umask may have narrowed it further; never wider than asked.
    chmodSync(backup, mode);
    return backup;
  }
}
