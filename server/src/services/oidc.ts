import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import * as oidc from 'openid-client';
import type { OidcSettings } from '../config.js';
import { insertOidcLogin, takeOidcLogin } from '../data/oidc.js';
import { audit, findUserForLogin, hashToken, type SessionUser } from '../data/users.js';
import { assertedEmail } from '../domain/email.js';
import { AppError } from '../http/errors.js';

/** How long a sign-in at the provider may take (the login row and its cookie). */
export const OIDC_LOGIN_MINUTES = 10;

/** Single sign-on with OpenID Connect (authorization code + PKCE, state, nonce), through openid-client. */
export interface OidcRelyingParty {
  /** Starts a sign-in: the browser's binding secret (for a cookie) and the provider's authorization URL. */
  start(): Promise<{ binding: string; authorizationUrl: string }>;
  /** Finishes it on the callback: the GUP account of the verified e-mail, and the ID token (for logout). */
  finish(binding: string | undefined, callbackQuery: string): Promise<{ user: SessionUser; idToken: string }>;
  /** The provider's logout URL for a session opened by single sign-on (null when the provider has none). */
  endSessionUrl(idToken: string): Promise<string | null>;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The relying party of one GUP server. The provider's metadata is discovered on first use (and again after a failure),
 * kept by this object: no module-level state. Plain-HTTP providers are allowed on a loopback address only (a local
 * provider in the tests or a developer's machine); anywhere else openid-client requires HTTPS.
 */
export function oidcRelyingParty(knex: Knex, settings: OidcSettings, log: Logger): OidcRelyingParty {
  let configuration: Promise<oidc.Configuration> | null = null;
  const discovered = () => {
    const issuer = new URL(settings.issuer);
    const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
    configuration ??= oidc.discovery(issuer, settings.clientId, settings.clientSecret, oidc.ClientSecretBasic(settings.clientSecret), {
      timeout: 10,
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
    }).catch((err: unknown) => {
      configuration = null;
      log.error({ err, issuer: settings.issuer }, 'OpenID Connect discovery failed');
      throw new AppError(502, 'oidc_unavailable', 'Le fournisseur d\'identité ne répond pas, réessayez plus tard');
    });
    return configuration;
  };

  return {
    async start() {
      const config = await discovered();
      const login = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
      const binding = crypto.randomBytes(32).toString('base64url');
      await insertOidcLogin(knex, hashToken(binding), login, new Date(Date.now() + OIDC_LOGIN_MINUTES * 60_000));
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri,
        scope: settings.scopes,
        state: login.state,
        nonce: login.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(login.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { binding, authorizationUrl: url.href };
    },

    async finish(binding, callbackQuery) {
      const login = binding ? await takeOidcLogin(knex, hashToken(binding)) : null;
      if (!login) throw new AppError(400, 'oidc_no_login', 'Aucune connexion en cours (ou elle a expiré) : recommencez depuis la page de connexion de GUP');
      const config = await discovered();
      const current = new URL(settings.redirectUri);
      current.search = callbackQuery;
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: login.codeVerifier, expectedState: login.state, expectedNonce: login.nonce, idTokenExpected: true,
        });
      } catch (err) {
        throw refusal(err, log);
      }
      const claims = tokens.claims()!;
      let claimed: unknown = claims.email;
      let verified = claims.email_verified;
      let siret = claims.siret;
      if (claimed === undefined) {
        // ProConnect gives the e-mail in the userinfo (signed JWT), not in the ID token
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub).catch((err: unknown) => { throw refusal(err, log); });
        claimed = info.email;
        verified = info.email_verified;
        siret = info.siret;
      }
      // ProConnect vouches for its e-mails without the claim; anything else than true ("false", 0) is not a verification
      const email = assertedEmail(claimed);
      siret = typeof siret === 'string' && /^[0-9]{14}$/.test(siret) ? siret : null; // only written to the audit log
      if (!email || (verified !== undefined && verified !== true)) throw new AppError(403, 'oidc_no_email', 'Le fournisseur d\'identité n\'a pas transmis d\'adresse e-mail vérifiée et utilisable');
      const user = await findUserForLogin(knex, email);
      if (!user) {
        await audit(knex, { action: 'login.oidc_refused', details: { email, siret: siret ?? null } });
        throw new AppError(403, 'oidc_unknown_account', `Aucun compte GUP actif n'est associé à l'adresse ${email}. Demandez à l'administrateur GUP de votre collectivité de créer votre compte avec cette adresse.`);
      }
      await audit(knex, { userId: user.id, action: 'login', details: { method: 'oidc', siret: siret ?? null } });
      const { passwordHash: _hidden, ...sessionUser } = user;
      return { user: sessionUser, idToken: tokens.id_token! };
    },

    async endSessionUrl(idToken) {
      const config = await discovered();
      if (!config.serverMetadata().end_session_endpoint) return null;
      return oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: settings.postLogoutRedirectUri }).href;
    },
  };
}

/** What an answer of the provider that fails its checks becomes: refused by the provider (403), invalid (400), or unreachable (502). */
function refusal(err: unknown, log: Logger): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof oidc.AuthorizationResponseError) {
    return new AppError(403, 'oidc_denied', `Connexion refusée par le fournisseur d'identité (${err.error})`);
  }
  if (err instanceof oidc.ClientError || err instanceof oidc.ResponseBodyError) {
    log.warn({ err }, 'OpenID Connect callback refused');
    return new AppError(400, 'oidc_invalid_response', 'Connexion refusée : la réponse du fournisseur d\'identité n\'a pas passé les vérifications (state, nonce, jeton). Recommencez depuis la page de connexion de GUP.');
  }
  log.error({ err }, 'OpenID Connect callback failed');
  return new AppError(502, 'oidc_unavailable', 'Le fournisseur d\'identité ne répond pas, réessayez plus tard');
}
