/**
 * Composition root of get-token: wires the flags to the store, the lock and the login. Everything heavy (the lock
 * library, openid-client, the flows) is imported lazily inside openSession, so a cache hit loads none of it.
 */
import { createDiskStore, noTokenStore } from '../cache/disk-store.js';
import { readCiTokenFile } from '../ci/ci-token-file.js';
import { type CacheKeyFields, cacheKey, cacheKeyFields, exchangeCacheKey } from '../core/cache-key.js';
import { cachedToken, cachedTokenNow, tokenRequest } from '../core/cached-token.js';
import type { IssuedCredential } from '../core/freshness.js';
import type { GetTokenInput } from '../core/get-token-input.js';
import type { Authenticator, KeyLock, Logger, TokenExchanger, TokenStore } from '../core/ports.js';
import { getExchangedToken } from '../core/token-exchange.js';
import type { TokenExchangeSettings } from '../core/token-exchange-settings.js';
import { secretsInArgumentsWarnings } from '../flags/secrets-in-arguments.js';
import { parseExecInfo, renderExecCredential } from '../kube/exec-credential.js';
import { readCertificateAuthorities } from '../platform/certificate-authorities.js';
import { exitOnInterrupt } from '../platform/interrupts.js';
import { loadLoginMachinery } from './load-login-machinery.js';
import { loadStores as loadStoresBundle } from './load-stores.js';
import type { LoginContext } from './login-context.js';
import { parseWithClusterSettings } from './parse-with-cluster-settings.js';

/** Runs get-token and returns the ExecCredential text for stdout. */
export async function runGetToken(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  setVerbosity: (level: number) => void,
): Promise<string> {
  const execInfo = parseExecInfo(env.KUBERNETES_EXEC_INFO);
  const { input, logger } = parseWithClusterSettings(argv, execInfo, env, setVerbosity);

  // A token file is read once, here: its content is part of the key, and the login hands over that same content.
  const ciFileToken =
    input.grantType === 'ci-token' && input.ciToken.source?.kind === 'file'
      ? readCiTokenFile(input.ciToken.source.path)
      : undefined;
  const { keyFields, key } = tokenCacheKey(input, env, logger, ciFileToken);
  // The disk store opens and reads without waiting: with it a cache hit runs no await (docs/performance.md).
  const store = openDiskStoreNow(input, key, logger) ?? (await openStore(input, key, env, logger));

  // One session per run, shared by the login and the token exchange (one discovery at most).
  let session: ReturnType<typeof openSession> | undefined;
  const openOnce = () => {
    session ??= (() => {
      // Said when the secret is about to be used, not on every cache hit, where kubectl would repeat it each call.
      for (const warning of secretsInArgumentsWarnings(argv)) logger.warn(warning);
      return openSession(input, key, logger, { interactive: execInfo.interactive, env }, ciFileToken);
    })();
    return session;
  };
  const clock = { now: () => Date.now() };
  const request = tokenRequest(key, keyFields, input);
  const deps = { store, clock, logger, openSession: openOnce };
  // core/get-token-use-case.ts's getToken, its miss compiled only on a miss (the login machinery's bundle).
  const renewToken = async () => (await loadLoginMachinery()).renewToken(request, deps);
  // The login's token: cached or renewed; a store that reads without waiting (the disk store) answers at once.
  const loginToken = (): IssuedCredential | Promise<IssuedCredential> => {
    const now = cachedTokenNow(request, deps);
    if (now) return now.hit ?? renewToken();
    return cachedToken(request, deps).then((hit) => hit ?? renewToken());
  };
  // With an audience, the exchanged token has its own entry beside the login's: a hit reads that one file alone.
  const exchanged = async (exchange: TokenExchangeSettings) => {
    const exchangeKey = exchangeCacheKey(key, exchange);
    const exchangeStore =
      openDiskStoreNow(input, exchangeKey, logger) ?? (await openStore(input, exchangeKey, env, logger));
    return getExchangedToken(
      {
        key: exchangeKey,
        loginKey: key,
        issuer: keyFields.issuer,
        clientId: keyFields.clientId,
        exchange,
        subjectIsAccessToken: keyFields.useAccessToken,
        forceRefresh: input.forceRefresh,
        marginMs: input.expiryMarginSec * 1000,
      },
      {
        store: exchangeStore,
        clock,
        logger,
        loginToken: async () => loginToken(),
        openExchanger: async () => (await openOnce()).exchanger,
      },
    );
  };
  const credential = input.tokenExchange ? await exchanged(input.tokenExchange) : await loginToken();
  return renderExecCredential(execInfo.apiVersion, credential.token, credential.expirationTimestamp);
}

/** The cache key of a run's settings and the store they choose: get-token's, and setup's (which caches its login). */
export async function openTokenCache(
  input: GetTokenInput,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  ciFileToken?: string,
): Promise<{ keyFields: CacheKeyFields; key: string; store: TokenStore }> {
  const { keyFields, key } = tokenCacheKey(input, env, logger, ciFileToken);
  return { keyFields, key, store: await openStore(input, key, env, logger) };
}

/** The cache key of a run's settings. */
function tokenCacheKey(
  input: GetTokenInput,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  ciFileToken: string | undefined,
): { keyFields: CacheKeyFields; key: string } {
  // core/cache-key.ts decides what enters the key; the CA files are read only when it asks for them.
  const keyFields = cacheKeyFields(input, {
    env,
    ciFileToken,
    certificateAuthorities: () =>
      readCertificateAuthorities(
        input.certificateAuthorityFiles,
        input.certificateAuthorityData,
        input.certificateAuthoritiesFrom,
      ),
  });
  const key = cacheKey(keyFields);
  logger.debug(2, `cache key ${key}`);
  return { keyFields, key };
}

/** The entry of a token exchanged for an audience from the login of `loginKey`, in the storage the flags chose. */
export async function openExchangeCache(
  input: GetTokenInput,
  loginKey: string,
  exchange: TokenExchangeSettings,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): Promise<{ key: string; store: TokenStore }> {
  const key = exchangeCacheKey(loginKey, exchange);
  return { key, store: await openStore(input, key, env, logger) };
}

async function openSession(
  input: GetTokenInput,
  key: string,
  logger: Logger,
  context: LoginContext,
  ciFileToken: string | undefined,
): Promise<{ lock: KeyLock; authenticator: Authenticator; exchanger: TokenExchanger }> {
  // The second bundle: openid-client, the lock library and the flows are compiled only on a cache miss.
  exitOnInterrupt();
  const { createKeyLock, createAuthenticator, createCiAuthenticator, createLoginRecordStore } =
    await loadLoginMachinery();
  // Beside the lock, for every storage that caches: who is logging in, its device code, how the last login failed.
  const record =
    input.tokenCacheStorage === 'none'
      ? undefined
      : createLoginRecordStore(input.tokenCacheDir, key, logger, {
          issuer: input.issuerUrl,
          clientId: input.clientId,
        });
  const oidc =
    input.grantType === 'ci-token'
      ? undefined
      : createAuthenticator(input, logger, { ...context, record, cacheKey: key });
  return {
    // Nothing is cached with --token-cache-storage=none, so there is nothing to guard: no cache directory, no lock,
    // no login record (kubectl's retries then each start a login of their own).
    lock:
      record === undefined
        ? noLock
        : createKeyLock(
            input.tokenCacheDir,
            key,
            { timeoutMs: input.authenticationTimeoutSec * 1000, record },
            logger,
          ),
    authenticator: oidc ?? createCiAuthenticator(input, logger, context.env, ciFileToken),
    // The flags refuse an audience with the ci-token grant (src/flags/parse-get-token.ts).
    exchanger: oidc ?? noExchanger,
  };
}

const noExchanger: TokenExchanger = {
  exchange: () => Promise.reject(new Error('token exchange is not offered for this grant')),
};

const noLock: KeyLock = { withLock: (work) => work({ lost: () => false }) };

/** The other stores' bundle; a keyring may wait to be unlocked, so from here a run may last. */
const loadStores = () => {
  exitOnInterrupt();
  return loadStoresBundle();
};

/** The disk store, where opening it needs nothing loaded: everywhere but on Windows (its ACL check, below). */
function openDiskStoreNow(input: GetTokenInput, key: string, logger: Logger): TokenStore | undefined {
  return input.tokenCacheStorage === 'disk' && process.platform !== 'win32'
    ? createDiskStore(input.tokenCacheDir, key, logger)
    : undefined;
}

/** The token store chosen by --token-cache-storage; the other stores' code is loaded only when one is chosen. */
async function openStore(
  input: GetTokenInput,
  key: string,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): Promise<TokenStore> {
  switch (input.tokenCacheStorage) {
    case 'disk': {
      const store = openDiskStoreNow(input, key, logger);
      if (store) return store;
      // NTFS has no modes: the privacy of the files is the directory's ACL (docs/platforms.md).
      const { warnWhenReadableByOthers } = await loadStores();
      return warnWhenReadableByOthers(
        createDiskStore(input.tokenCacheDir, key, logger),
        input.tokenCacheDir,
        logger,
      );
    }
    case 'none':
      return noTokenStore;
    case 'keyring': {
      const { createKeyringStore } = await loadStores();
      return createKeyringStore(key, logger);
    }
    case 'encrypted': {
      const { createEncryptedStore } = await loadStores();
      return createEncryptedStore(input.tokenCacheDir, key, env, logger);
    }
  }
}
