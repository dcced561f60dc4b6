/**
 * What a release publishes beside the executables: the zips (the executable with its executable bit, and LICENSE),
 * their `sha256sum` files, and the krew plugin manifest. Zip entries carry the commit's time, not the build's, so
 * the same commit gives the same archive layout.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { stringify } from 'yaml';
import { ZipFile } from 'yazl';
import { commandName, executableName, krewPluginName, type ReleaseTarget, zipName } from './targets.mjs';

export interface ZipInput {
  readonly zipPath: string;
  readonly executable: string;
  readonly executableEntry: string;
  readonly license: string;
  readonly mtime: Date;
}

export function writeZip(input: ZipInput): Promise<void> {
  const zip = new ZipFile();
  zip.addFile(input.executable, input.executableEntry, { mode: 0o100755, mtime: input.mtime });
  zip.addFile(input.license, 'LICENSE', { mode: 0o100644, mtime: input.mtime });
  zip.end();
  return new Promise((resolve, reject) => {
    const out = createWriteStream(input.zipPath);
    out.on('close', resolve);
    out.on('error', reject);
    zip.outputStream.on('error', reject).pipe(out);
  });
}

export function sha256Hex(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** `<hex>  <file name>`, as `sha256sum` writes it and `sha256sum -c` / `shasum -a 256 -c` read it. */
export function writeChecksumFile(zipPath: string): string {
  const hex = sha256Hex(zipPath);
  writeFileSync(`${zipPath}.sha256`, `${hex}  ${basename(zipPath)}\n`);
  return hex;
}

export interface ManifestInput {
  readonly version: string;
  /** package.json's homepage; the manifest has none without it (krew's index requires one: docs/release.md). */
  readonly homepage: string | undefined;
  readonly baseUrl: string;
  readonly platforms: readonly { target: ReleaseTarget; sha256: string }[];
}

/** A krew plugin manifest (krew.googlecontainertools.github.com/v1alpha2) with one platform per zip. */
export function krewManifest(input: ManifestInput): string {
  const base = input.baseUrl.replace(/\/+$/, '');
  return stringify(
    {
      apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
      kind: 'Plugin',
      metadata: { name: krewPluginName },
      spec: {
        version: `v${input.version}`,
        ...(input.homepage ? { homepage: input.homepage } : {}),
        shortDescription: 'Log in to clusters with OpenID Connect (browser, device code, cached tokens)',
        description:
          'An exec credential plugin for OpenID Connect: logs you in through your browser (PKCE), a device code, a ' +
          'password or client credentials, caches and refreshes the token, and checks a cluster setup ' +
          `(\`kubectl ${krewPluginName} setup\`). Kubeconfigs written for int128/kubelogin keep working.`,
        caveats:
          `Kubeconfigs run the plugin as \`${commandName}\`: krew puts that name on your PATH.\n` +
          `Connect a cluster: \`kubectl ${krewPluginName} setup --help\`.\n` +
          'Needs an x64 CPU with SSE4.2 (Nehalem or later) or arm64, glibc on Linux, macOS 13 or later, Windows 10 or\n' +
          'later. On older systems install the Node.js package instead (see the Install section of the README).\n',
        platforms: input.platforms.map(({ target, sha256 }) => ({
          selector: { matchLabels: { os: target.os, arch: target.arch } },
          uri: `${base}/${zipName(target)}`,
          sha256,
          files: [
            { from: executableName(target), to: '.' },
            { from: 'LICENSE', to: '.' },
          ],
          bin: executableName(target),
        })),
      },
    },
    { lineWidth: 0 },
  );
}
