import { z } from 'zod';
import { accountById, listAccounts } from '../data/accounts.js';
import { ROLES } from '../domain/territory.js';
import type { AppContext } from '../http/context.js';
import { notFound } from '../http/errors.js';
import { idParam } from '../http/input.js';
import { ADMINS, JsonReply, route } from '../http/route.js';
import { changeAccount, createAccount, resetPassword } from '../services/accounts.js';

const scopeFields = {
  communeInsee: z.string().max(5).nullable().optional(),
  serviceCode: z.string().max(64).nullable().optional(),
  organisationCode: z.string().max(64).nullable().optional(),
};
const newAccount = z.object({
  email: z.string().trim().email('adresse e-mail invalide').max(320),
  name: z.string().trim().min(1, 'nom obligatoire').max(200),
  role: z.enum(ROLES, { error: `rôle attendu : ${ROLES.join(', ')}` }),
  ...scopeFields,
}).strict();
const accountChange = z.object({
  name: z.string().trim().min(1, 'nom obligatoire').max(200).optional(),
  role: z.enum(ROLES, { error: `rôle attendu : ${ROLES.join(', ')}` }).optional(),
  active: z.boolean().optional(),
  ...scopeFields,
}).strict().refine((c) => Object.keys(c).length > 0, { message: 'aucun champ à modifier' });

const params = z.object({ id: idParam });
const badId = 'Identifiant de compte invalide';

/** /api/admin/users: accounts (create with a one-time link, change role and scope, deactivate, reset the password). Admins. */
export function adminAccountsRoutes(ctx: AppContext) {
  const { knex } = ctx.db;
  const access = ADMINS;
  return [
    route({ method: 'GET', path: '/api/admin/users', access, handle: async () => ({ users: await listAccounts(knex) }) }),
    route({
      method: 'GET', path: '/api/admin/users/:id', access, params, invalid: badId,
      handle: async ({ params: { id } }) => {
        const account = await accountById(knex, id);
        if (!account) throw notFound('Compte');
        return { user: account };
      },
    }),
    route({
      method: 'POST', path: '/api/admin/users', access, body: newAccount, invalid: 'Compte invalide', status: 201,
      handle: async ({ body }, { user }) => ({ user: await createAccount(knex, user.id, body, ctx.config.publicUrl) }),
    }),
    route({
      method: 'PATCH', path: '/api/admin/users/:id', access, params, body: accountChange, invalid: { params: badId, body: 'Modification invalide' },
      handle: async ({ params: { id }, body }, { user }) => ({ user: await changeAccount(knex, user.id, id, body) }),
    }),
    route({
      method: 'POST', path: '/api/admin/users/:id/password-reset', access, params, invalid: badId,
      handle: async ({ params: { id } }, { user }) => {
        const { expiresAt } = await resetPassword(knex, user.id, id, ctx.config.publicUrl);
        return new JsonReply(202, { sent: true, expiresAt });
      },
    }),
  ];
}
