/**
 * The issuer named by --oidc-issuer-url against the one in the provider's discovery document. kube-apiserver
 * compares the token's `iss` with its own --oidc-issuer-url byte for byte, and tokens carry the provider's form:
 * any other spelling of the "same" URL gives tokens the cluster refuses. The error names the exact form and says in
 * words how the two differ, for root and path issuers alike.
 */
import { AppError, cutForMessage } from '../app-error.js';

export function issuerMismatch(discovered: string, configured: string): AppError {
  const difference = describeIssuerDifference(discovered, configured);
  return new AppError(
    'provider.issuer-mismatch',
    `the provider's discovery document names the issuer "${cutForMessage(discovered)}", not "${cutForMessage(configured)}"${difference ? `: ${difference}` : ''}`,
    {
      hint: `use --oidc-issuer-url=${cutForMessage(discovered)} exactly (and the same in kube-apiserver's --oidc-issuer-url): issuers are compared byte for byte`,
    },
  );
}

/** How two spellings of an issuer differ, when it is one of the usual slips; undefined otherwise. */
export function describeIssuerDifference(discovered: string, configured: string): string | undefined {
  if (discovered === `${configured}/`)
    return "they differ by a trailing slash: the provider's issuer ends with /";
  if (configured === `${discovered}/`)
    return "they differ by a trailing slash: the provider's issuer does not end with /";
  if (discovered.toLowerCase() === configured.toLowerCase()) return 'they differ in upper and lower case';
  const [a, b] = [parse(discovered), parse(configured)];
  if (a && b && a.protocol === b.protocol && a.hostname === b.hostname && a.pathname === b.pathname) {
    const port = (text: string, url: URL) =>
      /^[a-z]+:\/\/[^/]*:(\d+)/i.exec(text)?.[1] ?? (url.port || 'none');
    return `they differ in the port: ${port(discovered, a)} at the provider, ${port(configured, b)} in --oidc-issuer-url (a default port written out counts)`;
  }
  return undefined;
}

function parse(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
