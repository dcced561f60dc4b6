/**
 * `setup`: proves an issuer configuration end to end and prints what the cluster admin and the user apply, so that
 * neither has to guess. A checklist on stderr; the admin and user sections on stdout (or JSON with --output json). The
 * login is cached under get-token's key, so that kubectl does not ask for it again.
 */

import { AppError, flagsHint, isAppError, usageError } from '../../app-error.js';
import { tokenRequest } from '../../core/cached-token.js';
import type { GetTokenInput } from '../../core/get-token-input.js';
import { toEntry } from '../../core/get-token-use-case.js';
import { readJwtClaims } from '../../core/jwt-claims.js';
import type { ExchangedToken, Logger, TokenExchanger, TokenSet } from '../../core/ports.js';
import { selectFlow } from '../../core/select-flow.js';
import {
  renderApiserverFlags,
  renderAuthenticationConfiguration,
} from '../../core/setup/apiserver-config.js';
import { type Check, renderChecklist } from '../../core/setup/checklist.js';
import { ciPrefixCheck, ciSection } from '../../core/setup/ci-report.js';
import { renderCiJwtEntry } from '../../core/setup/ci-trust.js';
import { checkDiscovery, checkIssuerScheme } from '../../core/setup/discovery-checks.js';
import { kubeIdentity } from '../../core/setup/kube-identity.js';
import {
  kubeconfigExec,
  renderKubeconfigUser,
  renderSetCredentials,
} from '../../core/setup/kubeconfig-user.js';
import { renderSetupOutput, type SetupSections, setupExitCode } from '../../core/setup/output.js';
import { renderRbacCommands } from '../../core/setup/rbac.js';
import { checkTokens, type RefreshOutcome } from '../../core/setup/token-checks.js';
import { exchangedEntry } from '../../core/token-exchange.js';
import type { TokenExchangeSettings } from '../../core/token-exchange-settings.js';
import { ExitCode } from '../../error-codes.js';
import { secretsInArgumentsWarnings } from '../../flags/secrets-in-arguments.js';
import { parseSetupArgs } from '../../flags/setup/setup-flags.js';
import { mergedEntries } from '../../kube/kubeconfig-read.js';
import { OidcClient } from '../../oidc/client.js';
import { probeFlowEnvironment } from '../../platform/environment.js';
import { kubeHomeDir } from '../../platform/home.js';
import { createStderrLogger, writeStderr } from '../../platform/logger.js';
import { createAuthenticator } from '../authenticator.js';
import { openExchangeCache, openTokenCache } from '../get-token.js';
import { loadYaml, readKubeconfigFiles } from '../kubeconfig-files.js';
import { oidcClientOptions } from '../oidc-client-options.js';
import { checkCluster } from './cluster-check.js';
import { kubeconfigArgs, kubeconfigStep } from './kubeconfig-step.js';

export async function runSetup(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; exitCode: ExitCode }> {
  const { options, input, getTokenArgs } = withSetupHint(() =>
    parseSetupArgs(argv, { env, homeDir: kubeHomeDir(process.platform, env) }),
  );
  const { mapping, output, context: contextName, cluster: clusterName, ci } = options;
  // Before the login, so a typo costs no browser round trip.
  if (contextName !== undefined && clusterName === undefined) {
    if (!mergedEntries(loadYaml(), readKubeconfigFiles(env), 'contexts').has(contextName))
      throw usageError(
        `the kubeconfig has no context "${contextName}"`,
        options.writeKubeconfig ? 'add --cluster=NAME to create it' : 'check kubectl config get-contexts',
      );
  }
  const logger = createStderrLogger(input.verbosity);
  for (const warning of secretsInArgumentsWarnings(argv)) logger.warn(warning);
  const checks: Check[] = [];
  const report = (exitCode: ExitCode, sections?: SetupSections) => {
    writeStderr(renderChecklist(checks));
    return { stdout: renderSetupOutput(output, checks, sections), exitCode: setupExitCode(checks, exitCode) };
  };
  const failure = (step: string, error: unknown) => {
    if (!isAppError(error)) throw error;
    checks.push({ step, status: 'failed', detail: error.message, fix: error.hint });
    return report(error.exitCode);
  };

  // 1. Discovery.
  let client: OidcClient;
  try {
    client = await OidcClient.discover(oidcClientOptions(input, logger, env));
  } catch (error) {
    return failure('discovery', error);
  }
  checks.push({
    step: 'discovery',
    status: 'passed',
    detail: `issuer ${client.issuer} (matches --oidc-issuer-url exactly)`,
  });
  const scheme = checkIssuerScheme(client.issuer);
  if (scheme) checks.push(scheme);
  const flow = selectFlow(input, probeFlowEnvironment(env), client.supportsDeviceCode()).flow;
  checks.push(...checkDiscovery(client.snapshot().metadata, flow, input.pkceMethod));
  if (checks.some((check) => check.status === 'failed')) return report(ExitCode.provider);

  // 2. Login, never touching the token cache.
  const noCache: GetTokenInput = { ...input, tokenCacheStorage: 'none' };
  const authenticator = createAuthenticator(noCache, logger, { interactive: undefined, env });
  let tokens: Awaited<ReturnType<typeof authenticator.login>>;
  try {
    tokens = await authenticator.login();
  } catch (error) {
    return failure(`login (${flow})`, error);
  }
  checks.push({ step: `login (${flow})`, status: 'passed', detail: 'tokens received' });
  // One real refresh, as get-token will do at the first expiry: what comes back decides whether that is silent.
  const refresh = tokens.refreshToken ? await tryRefresh(authenticator, tokens.refreshToken) : undefined;
  const refreshed = refresh?.outcome;

  // The token exchange: the narrowed token is the one the cluster sees, so its claims are checked.
  const latest = refresh?.tokens ?? tokens;
  let exchanged: ExchangedToken | undefined;
  if (input.tokenExchange) {
    try {
      exchanged = await exchangeLoginToken(authenticator, latest, input.useAccessToken, input.tokenExchange);
    } catch (error) {
      return failure('token exchange', error);
    }
    checks.push(exchangeCheck(exchanged, input.tokenExchange.audience));
  }

  // 3–4. The tokens, the claims, and the identity kube-apiserver will derive.
  const claims = readJwtClaims(exchanged?.token ?? tokens.idToken) ?? {};
  checks.push(
    ...checkTokens(
      claims,
      { refreshToken: Boolean(tokens.refreshToken), ...(refreshed ? { refreshed } : {}) },
      {
        ...mapping,
        extraScopes: input.extraScopes,
        authRequestExtraParams: input.authRequestExtraParams,
        useAccessToken: input.useAccessToken,
      },
      Math.floor(Date.now() / 1000),
    ),
  );
  const identity = kubeIdentity(claims, mapping);
  if (!identity.ok) checks.push({ step: 'Kubernetes identity', status: 'failed', detail: identity.problem });
  if (ci) checks.push(ciPrefixCheck(mapping, ci));
  // The refreshed tokens when the refresh worked: it rotated the refresh token, and the first one may be dead now.
  checks.push(...(await cacheLogin(input, latest, exchanged, checks, env, logger)));
  const shown = Object.fromEntries(
    Object.entries(claims).filter(([name]) => !['nonce', 'at_hash', 'c_hash', 'sid'].includes(name)),
  );

  // 5–6. What the admin and the user apply.
  // With a token exchange the cluster accepts that cluster's audience only, not the client's tokens.
  const settings = { ...mapping, clientId: input.tokenExchange?.audience ?? input.clientId };
  const userSettings = {
    issuer: input.issuerUrl,
    clientId: input.clientId,
    getTokenArgs: kubeconfigArgs(getTokenArgs),
    flow,
    usesClientSecret: input.clientSecret !== undefined,
  };
  // 7. Into the kubeconfig, when asked and nothing failed.
  checks.push(...kubeconfigStep(env, options, userSettings, checks));

  // 8. What the cluster of the context makes of the token.
  if (contextName !== undefined) {
    checks.push(
      ...(await checkCluster(
        env,
        contextName,
        exchanged?.token ?? (input.useAccessToken ? tokens.accessToken : tokens.idToken),
        {
          issuer: input.issuerUrl,
          clientId: settings.clientId,
          usernameClaim: mapping.usernameClaim,
          claims,
          predicted: identity,
          opaqueAccessToken:
            !exchanged && input.useAccessToken && readJwtClaims(tokens.accessToken) === undefined,
        },
        input.providerRequestTimeoutSec * 1000,
      )),
    );
  }

  return report(ExitCode.ok, {
    claims: shown,
    ...(input.tokenExchange ? { exchangedFor: input.tokenExchange.audience } : {}),
    identity: identity.ok ? { username: identity.username, groups: identity.groups } : null,
    admin: {
      ...(scheme ? { httpIssuerWarning: `WARNING: ${scheme.detail}` } : {}),
      apiserverFlags: renderApiserverFlags(settings),
      authenticationConfiguration:
        renderAuthenticationConfiguration(settings, options.authenticationConfigVersion) +
        (ci ? renderCiJwtEntry(ci.settings) : ''),
      rbac: identity.ok ? renderRbacCommands(identity.username, identity.groups) : null,
    },
    user: {
      kubeconfigUser: renderKubeconfigUser(userSettings, options.kubeconfigUser),
      exec: kubeconfigExec(userSettings),
      setCredentials: renderSetCredentials(userSettings, options.kubeconfigUser),
      written: checks.some((check) => check.step === 'kubeconfig' && check.status !== 'failed'),
    },
    ...(ci ? { ci: ciSection(ci) } : {}),
  });
}

async function tryRefresh(
  authenticator: ReturnType<typeof createAuthenticator>,
  refreshToken: string,
): Promise<{ outcome: RefreshOutcome; tokens?: TokenSet }> {
  try {
    const tokens = await authenticator.refresh(refreshToken);
    return { outcome: tokens.idToken ? { kind: 'id-token' } : { kind: 'no-id-token' }, tokens };
  } catch (error) {
    return { outcome: { kind: 'refused', detail: error instanceof Error ? error.message : String(error) } };
  }
}

/**
 * Caches the tokens where get-token will look for them (same cache key, same storage), so the first kubectl call
 * after setup needs no second login. Not after a failed check: those tokens are not what kubectl should use.
 */
async function cacheLogin(
  input: GetTokenInput,
  tokens: TokenSet,
  exchanged: ExchangedToken | undefined,
  earlier: readonly Check[],
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<Check[]> {
  if (input.tokenCacheStorage === 'none' || earlier.some((check) => check.status === 'failed')) return [];
  const step = 'token cache';
  try {
    const { keyFields, key, store } = await openTokenCache(input, env, logger);
    const request = tokenRequest(key, keyFields, { ...input, forceRefresh: false });
    await store.write(toEntry(request, tokens, Date.now(), { logger }));
    if (exchanged && input.tokenExchange) {
      const exchange = input.tokenExchange;
      const cache = await openExchangeCache(input, key, exchange, env, logger);
      await cache.store.write(
        exchangedEntry(
          { ...request, key: cache.key, loginKey: key, exchange },
          exchanged,
          Date.now(),
          logger,
        ),
      );
    }
    return [
      {
        step,
        status: 'passed',
        detail: `the login${exchanged ? ' and the exchanged token are' : ' is'} cached where get-token looks (${input.tokenCacheStorage}): kubectl needs no second login`,
      },
    ];
  } catch (error) {
    if (!isAppError(error)) throw error;
    return [{ step, status: 'warning', detail: `not cached: ${error.message}`, fix: error.hint }];
  }
}

/** The login's token (the one get-token hands over) exchanged for the audience, as get-token exchanges it. */
function exchangeLoginToken(
  exchanger: TokenExchanger,
  tokens: TokenSet,
  useAccessToken: boolean,
  exchange: TokenExchangeSettings,
): Promise<ExchangedToken> {
  const subject = useAccessToken ? tokens.accessToken : tokens.idToken;
  if (!subject)
    throw new AppError(
      'provider.no-token',
      `the identity provider answered without ${useAccessToken ? 'an access token' : 'an ID token'} to exchange`,
      { hint: 'make sure the client may use the openid scope' },
    );
  return exchanger.exchange(subject, useAccessToken, exchange);
}

function exchangeCheck(exchanged: ExchangedToken, audience: string): Check {
  const minutes = Math.max(0, Math.round((exchanged.expiresAt - Date.now()) / 60_000));
  return {
    step: 'token exchange',
    status: 'passed',
    detail: `a token for audience ${JSON.stringify(audience)} (signature (JWKS), iss, aud and exp valid; valid for ${minutes} min)`,
  };
}

/** The flag parsers share get-token's usage errors; their default hint then names setup's --help instead. */
function withSetupHint<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (isAppError(error) && error.code === 'usage' && error.hint === flagsHint('get-token'))
      throw usageError(error.message, flagsHint('setup'));
    throw error;
  }
}
