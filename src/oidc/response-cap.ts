/**
 * A ceiling on what the plugin reads from the identity provider. Discovery documents, key sets and token responses
 * are a few kilobytes (tokens with thousands of groups stay well under a megabyte); a provider that sends hundreds of
 * megabytes (a 300 MB discovery document took 2 GB of memory) is broken or hostile, and is refused while reading.
 */
import { AppError } from '../app-error.js';

export const maxProviderResponseBytes = 4 * 1024 * 1024;

/** The response with its body read, or a provider error (exit code 3) as soon as it exceeds the ceiling. */
export async function capResponse(
  response: Response,
  url: string,
  limit = maxProviderResponseBytes,
): Promise<Response> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(url, limit);
  }
  if (!response.body) return response;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(url, limit);
    }
    chunks.push(value);
  }
  const bodyless = [101, 204, 205, 304].includes(response.status);
  const read = new Response(bodyless ? null : Buffer.concat(chunks), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // A constructed Response has no url; error messages name the endpoint from it.
  Object.defineProperty(read, 'url', { value: response.url });
  return read;
}

function tooLarge(url: string, limit: number): AppError {
  const at = url.indexOf('?');
  return new AppError(
    'provider.response-too-large',
    `the identity provider's response from ${at < 0 ? url : url.slice(0, at)} is larger than ${limit / 1024 / 1024} MB`,
    {
      hint: 'check --oidc-issuer-url: no OpenID provider sends documents or tokens that large',
    },
  );
}
