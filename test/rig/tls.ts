/**
 * Certificates made by openssl for the rig's HTTPS servers: a private CA with a server certificate signed by it
 * (a provider served over HTTPS), and self-signed certificates (the test API server, HTTPS redirect URIs).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './plugin.js';

export interface PrivateCa {
  readonly caPemPath: string;
  readonly caPem: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

/** A CA, and a certificate signed by it: for 127.0.0.1 unless told (e.g. a code-signing certificate). */
export function makePrivateCa(
  leaf: { subject: string; extensions: string } = {
    subject: '/CN=127.0.0.1',
    extensions: 'subjectAltName=IP:127.0.0.1\n',
  },
): PrivateCa {
  const dir = tempDir('private-ca');
  const file = (name: string) => join(dir, name);
  selfSigned('/CN=Rig Private CA', file('ca.key'), file('ca.pem'));
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    leaf.subject,
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  );
  writeFileSync(file('ext.cnf'), leaf.extensions);
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('ext.cnf'),
    '-out',
    file('server.pem'),
  );
  return {
    caPemPath: file('ca.pem'),
    caPem: readFileSync(file('ca.pem'), 'utf8'),
    serverCert: readFileSync(file('server.pem'), 'utf8'),
    serverKey: readFileSync(file('server.key'), 'utf8'),
  };
}

/** A self-signed certificate for one host (an IP address, or localhost). */
export function makeSelfSignedCert(host = '127.0.0.1'): { cert: string; key: string } {
  // Removed at once: the scripts (bench, demo, playground) use the rig outside a test run's temporary root, and
  // every run of them left a rig-cert-* folder in the machine's temporary directory.
  const dir = tempDir('rig-cert');
  try {
    const subjectAltName = host === 'localhost' ? 'DNS:localhost' : `IP:${host}`;
    selfSigned(`/CN=${host}`, join(dir, 'key.pem'), join(dir, 'cert.pem'), [
      '-addext',
      `subjectAltName=${subjectAltName}`,
    ]);
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** `openssl req -x509`: a new RSA key and a certificate signed by it, valid two days. */
function selfSigned(subject: string, keyFile: string, certFile: string, extra: readonly string[] = []): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    subject,
    ...extra,
    '-keyout',
    keyFile,
    '-out',
    certFile,
  );
}
