import { posix, win32 } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../../src/cache/location.js';
import { expandHome, type HomeProbe, kubeHomeDir } from '../../src/platform/home.js';

/** A Windows file system described by a table: directories (writable unless listed read-only) and files. */
function windowsDisk(paths: { dirs?: string[]; readOnly?: string[]; files?: string[] }): HomeProbe {
  const key = (path: string) => win32.normalize(path).toLowerCase();
  const dirs = new Set((paths.dirs ?? []).map(key));
  const readOnly = new Set((paths.readOnly ?? []).map(key));
  const files = new Set((paths.files ?? []).map(key));
  return {
    stat(path) {
      if (files.has(key(path))) return { isDirectory: false, ownerWritable: true };
      if (dirs.has(key(path))) return { isDirectory: true, ownerWritable: !readOnly.has(key(path)) };
      return undefined;
    },
  };
}

const accountHome = () => 'C:\\fallback';
const network = { HOMEDRIVE: 'H:', HOMEPATH: '\\' };
const profile = { USERPROFILE: 'C:\\Users\\ada' };

describe('kubectl home on Windows (client-go homedir.HomeDir)', () => {
  it.each([
    {
      name: 'only USERPROFILE set',
      env: profile,
      disk: { dirs: ['C:\\Users\\ada'] },
      home: 'C:\\Users\\ada',
    },
    {
      name: 'network home holds .kube\\config: it wins over USERPROFILE',
      env: { ...network, ...profile },
      disk: { dirs: ['H:\\', 'C:\\Users\\ada'], files: ['H:\\.kube\\config'] },
      home: 'H:\\',
    },
    {
      name: 'both hold .kube\\config: HOMEDRIVE+HOMEPATH before USERPROFILE',
      env: { ...network, ...profile },
      disk: {
        dirs: ['H:\\', 'C:\\Users\\ada'],
        files: ['H:\\.kube\\config', 'C:\\Users\\ada\\.kube\\config'],
      },
      home: 'H:\\',
    },
    {
      name: 'only USERPROFILE holds .kube\\config',
      env: { ...network, ...profile },
      disk: { dirs: ['H:\\', 'C:\\Users\\ada'], files: ['C:\\Users\\ada\\.kube\\config'] },
      home: 'C:\\Users\\ada',
    },
    {
      name: 'no config anywhere: USERPROFILE before HOMEDRIVE+HOMEPATH',
      env: { ...network, ...profile },
      disk: { dirs: ['H:\\', 'C:\\Users\\ada'] },
      home: 'C:\\Users\\ada',
    },
    {
      name: 'HOME holds .kube\\config: HOME first',
      env: { HOME: 'D:\\home', ...network, ...profile },
      disk: {
        dirs: ['D:\\home', 'H:\\', 'C:\\Users\\ada'],
        files: ['D:\\home\\.kube\\config', 'H:\\.kube\\config'],
      },
      home: 'D:\\home',
    },
    {
      name: 'HOME set but missing, no config: the first writable directory',
      env: { HOME: 'D:\\gone', ...network, ...profile },
      disk: { dirs: ['H:\\', 'C:\\Users\\ada'] },
      home: 'C:\\Users\\ada',
    },
    {
      name: 'USERPROFILE read-only: the next writable one',
      env: { ...network, ...profile },
      disk: { dirs: ['H:\\', 'C:\\Users\\ada'], readOnly: ['C:\\Users\\ada'] },
      home: 'H:\\',
    },
    {
      name: 'none writable: the first that exists',
      env: { HOME: 'D:\\gone', ...network, ...profile },
      disk: { dirs: ['H:\\', 'C:\\Users\\ada'], readOnly: ['H:\\', 'C:\\Users\\ada'] },
      home: 'C:\\Users\\ada',
    },
    {
      name: 'a file, not a directory, is not a home but exists',
      env: { HOME: 'D:\\file', ...profile },
      disk: { files: ['D:\\file'] },
      home: 'D:\\file',
    },
    {
      name: 'none exists: the first that is set',
      env: { ...network, ...profile },
      disk: {},
      home: 'C:\\Users\\ada',
    },
    {
      name: 'HOMEDRIVE without HOMEPATH counts as unset',
      env: { HOMEDRIVE: 'H:', ...profile },
      disk: { dirs: ['H:\\'] },
      home: 'C:\\Users\\ada',
    },
    {
      name: 'empty variables count as unset',
      env: { HOME: '', HOMEDRIVE: '', HOMEPATH: '', USERPROFILE: '' },
      disk: { dirs: ['C:\\Users\\ada'] },
      home: 'C:\\fallback',
    },
  ])('$name', ({ env, disk, home }) => {
    expect(kubeHomeDir('win32', env, windowsDisk(disk), accountHome)).toBe(home);
  });
});

describe('kubectl home elsewhere', () => {
  const untouched: HomeProbe = {
    stat() {
      throw new Error('HOME needs no file system lookups');
    },
  };
  it.each(['linux', 'darwin'] as const)('%s: HOME, whatever USERPROFILE says', (platform) => {
    expect(kubeHomeDir(platform, { HOME: '/home/ada', USERPROFILE: 'C:\\x' }, untouched, accountHome)).toBe(
      '/home/ada',
    );
  });
  it('without HOME: the account home', () => {
    expect(kubeHomeDir('linux', { HOME: '' }, untouched, () => '/home/from-passwd')).toBe(
      '/home/from-passwd',
    );
  });
});

describe('~ expansion', () => {
  it.each([
    ['~', 'C:\\Users\\ada', 'C:\\Users\\ada'],
    ['~\\certs\\ca.pem', 'C:\\Users\\ada', 'C:\\Users\\ada\\certs\\ca.pem'],
    ['~/certs/ca.pem', 'C:\\Users\\ada', 'C:\\Users\\ada\\certs\\ca.pem'],
    ['~ada\\certs', 'C:\\Users\\ada', '~ada\\certs'],
    ['C:\\certs\\~\\x', 'C:\\Users\\ada', 'C:\\certs\\~\\x'],
  ])('Windows: %s', (path, home, expanded) => {
    expect(expandHome(path, home, win32.join)).toBe(expanded);
  });
  it.each([
    ['~', '/home/ada', '/home/ada'],
    ['~/certs/ca.pem', '/home/ada', '/home/ada/certs/ca.pem'],
    ['~/', '/home/ada', '/home/ada'],
    ['~ada/certs', '/home/ada', '~ada/certs'],
    ['/etc/~/x', '/home/ada', '/etc/~/x'],
  ])('Unix: %s', (path, home, expanded) => {
    expect(expandHome(path, home, posix.join)).toBe(expanded);
  });
});

describe('default token cache directory', () => {
  it.each([
    [{}, '/home/ada/.kube/cache/oidc-login'],
    [{ KUBECACHEDIR: '/var/cache/kube' }, '/var/cache/kube/oidc-login'],
    [{ KUBECACHEDIR: '/var/cache/kube/' }, '/var/cache/kube/oidc-login'],
    [{ KUBECACHEDIR: '~/kc' }, '/home/ada/kc/oidc-login'],
  ])('%o → %s', (env, dir) => {
    expect(defaultCacheDir(env, '/home/ada')).toBe(dir);
  });
});
