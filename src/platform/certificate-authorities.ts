/**
 * The CA material given for the provider (--certificate-authority files, --certificate-authority-data base64 PEM),
 * read once: its hash enters the cache key, and the transport trusts it. A file is read as every file a setting
 * names (./setting-file.ts: never a FIFO or device, at most 1 MB). Unreadable input is a usage error (exit 2) that
 * names the setting (the flag, or the cluster's key) and the file.
 */
import { AppError } from '../app-error.js';
import { readSettingFile, UnreadableFile } from './setting-file.js';

/** `from`: who gave the CA settings when not the exec args, e.g. "the cluster https://…'s exec extension". */
export function readCertificateAuthorities(
  files: readonly string[],
  data: readonly string[],
  from?: string,
): string[] {
  const setting = (name: string, what: string) => (from ? `${name} ${what} of ${from}` : `--${name} ${what}`);
  const fixHint = from
    ? `fix it in the cluster's extensions in the kubeconfig, or pin the CA in your user's exec args`
    : undefined;
  const fromFiles = files.map((file) => {
    try {
      return readSettingFile(file);
    } catch (error) {
      if (!(error instanceof UnreadableFile)) throw error;
      throw new AppError(
        'usage.certificate-authority',
        `${setting('certificate-authority', file)} ${error.problem}`,
        {
          hint:
            fixHint ??
            (error.code === 'ENOENT'
              ? 'check the path (a ~ at the start means your home directory)'
              : 'give the path of a PEM file (a regular file of at most 1 MB)'),
          cause: error,
        },
      );
    }
  });
  const fromData = data.map((encoded, index) => {
    const pem = Buffer.from(encoded, 'base64').toString('utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AppError(
        'usage.certificate-authority-data',
        `${setting('certificate-authority-data', `#${index + 1}`)} is not a base64-encoded PEM certificate`,
        {
          hint: fixHint ?? 'encode the PEM file with: base64 -w0 ca.pem',
        },
      );
    }
    return pem;
  });
  for (const [index, pem] of fromFiles.entries()) {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AppError(
        'usage.certificate-authority',
        `${setting('certificate-authority', files[index] as string)} holds no PEM certificate`,
        {
          hint: fixHint ?? 'give a PEM file (-----BEGIN CERTIFICATE-----)',
        },
      );
    }
  }
  return [...fromFiles, ...fromData];
}
