/**
 * What the token exchange settings (--token-exchange-audience, --token-exchange-requested-token-type) mean: the
 * audience the exchanged token must carry and the token type asked for (RFC 8693 section 3). ./token-exchange.ts
 * is the use case.
 */

/** What `--token-exchange-requested-token-type` offers; each is a JWT the plugin checks before using it. */
export const requestedTokenTypes = ['id-token', 'access-token', 'jwt'] as const;
export type RequestedTokenType = (typeof requestedTokenTypes)[number];

export const tokenTypeUrns: Readonly<Record<RequestedTokenType, string>> = {
  'id-token': 'urn:ietf:params:oauth:token-type:id_token',
  'access-token': 'urn:ietf:params:oauth:token-type:access_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
};

export interface TokenExchangeSettings {
  /** The audience the exchanged token must carry: the cluster's, as its AuthenticationConfiguration names it. */
  readonly audience: string;
  readonly requestedTokenType: RequestedTokenType;
}
