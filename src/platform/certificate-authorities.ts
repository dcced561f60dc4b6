/**
 * The CA material given for the provider (--certificate-authority files, --certificate-authority-data base64 PEM),
 * read once: its hash enters the cache key, and the transport trusts it. Unreadable input is a usage error (exit 2)
 * that names the flag and the file.
 */
import { readFileSync } from 'node:fs';
import { AppError, ExitCode } from '../errors.js';

export function readCertificateAuthorities(files: readonly string[], data: readonly string[]): string[] {
  const fromFiles = files.map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new AppError(
        'usage.certificate-authority',
        `cannot read --certificate-authority ${file}: ${(error as Error).message}`,
        {
          exitCode: ExitCode.usage,
          hint: 'check the path (a ~ at the start means your home directory)',
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
        `--certificate-authority-data #${index + 1} is not a base64-encoded PEM certificate`,
        {
          exitCode: ExitCode.usage,
          hint: 'encode the PEM file with: base64 -w0 ca.pem',
        },
      );
    }
    return pem;
  });
  for (const [index, pem] of fromFiles.entries()) {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AppError(
        'usage.certificate-authority',
        `--certificate-authority ${files[index]} holds no PEM certificate`,
        {
          exitCode: ExitCode.usage,
          hint: 'give a PEM file (-----BEGIN CERTIFICATE-----)',
        },
      );
    }
  }
  return [...fromFiles, ...fromData];
}
