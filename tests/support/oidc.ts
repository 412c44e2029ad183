import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.js';
import { hashPassword } from '../../server/src/auth/passwords.js';
import { loadConfig, type OidcSettings } from '../../server/src/config.js';
import { upsertUser } from '../../server/src/data/users.js';
import { testContext } from './context.js';

export const CLIENT_ID = 'gup-test';
const CLIENT_SECRET = 'un-secret-de-test-assez-long-pour-hs256-0123456789';
export const SCOPES = 'openid email given_name usual_name siret';

/** The provider's accounts: sub → claims (ProConnect's claims). */
const ACCOUNTS: Record<string, Record<string, unknown>> = {
  'agent-gup': { email: 'GUP@demo.gup', given_name: 'Agent', usual_name: 'Officier', siret: '20005947300018' },
  'agent-inconnu': { email: 'inconnu@agglo.fr', given_name: 'Agent', usual_name: 'Inconnu', siret: '20005947300018' },
  'agent-inactif': { email: 'oidc.inactif@demo.gup', given_name: 'Agent', usual_name: 'Inactif', siret: '20005947300018' },
  'agent-non-verifie': { email: 'gup@demo.gup', email_verified: false },
};

export interface SingleSignOn {
  /** The provider's issuer URL (http://127.0.0.1:port). */
  issuer: string;
  /** A GUP server of its own (same database as the shared one) configured for that provider. */
  gupBase: string;
  close(): Promise<void>;
}

const listen = (server: Server) => new Promise<string>((resolve) => {
  server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
});

/**
 * A REAL identity provider, oidc-provider (panva), on a random port, configured like ProConnect (scopes email,
 * given_name, usual_name, siret; the e-mail in the userinfo, not in the ID token; PKCE required), with its development
 * login and consent forms; and a GUP server configured for it by its OidcSettings. Account `oidc.inactif@demo.gup` is
 * created deactivated.
 */
export async function startSingleSignOn(): Promise<SingleSignOn> {
  const { db } = await testContext();
  await upsertUser(db.knex, { email: 'oidc.inactif@demo.gup', name: 'Inactif', role: 'gup_officer', passwordHash: await hashPassword('inactif-2026') });
  await db.knex('users').where({ email: 'oidc.inactif@demo.gup' }).update({ active: false });

  const idp = http.createServer();
  const issuer = await listen(idp);
  const gup = http.createServer();
  const gupBase = await listen(gup);

  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`${gupBase}/api/auth/oidc/callback`],
      post_logout_redirect_uris: [`${gupBase}/`], response_types: ['code'], grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], given_name: ['given_name'], usual_name: ['usual_name'], siret: ['siret'] },
    pkce: { required: () => true },
    findAccount: async (_ctx, sub) => (ACCOUNTS[sub] ? { accountId: sub, claims: async () => ({ sub, ...ACCOUNTS[sub] }) } : undefined),
    cookies: { keys: ['cle-de-test-des-cookies-du-fournisseur'] },
  });
  idp.on('request', provider.callback());

  const oidc: OidcSettings = {
    issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `${gupBase}/api/auth/oidc/callback`,
    postLogoutRedirectUri: `${gupBase}/`, scopes: SCOPES,
  };
  const config = { ...loadConfig({}), databaseUrl: process.env.DATABASE_URL?.trim(), demo: true, publicUrl: gupBase, oidc };
  gup.on('request', createApp({ db, config, log: pino({ level: 'silent' }) }));

  return {
    issuer,
    gupBase,
    close: async () => {
      await Promise.all([idp, gup].map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); })));
    },
  };
}
