import { Router } from 'express';
import { z } from 'zod';
import { currentUser } from '../auth/middleware.js';
import { accountById, listAccounts } from '../data/accounts.js';
import { ROLES } from '../domain/territory.js';
import type { AppContext } from '../http/context.js';
import { notFound, validationError } from '../http/errors.js';
import { parseId } from '../http/input.js';
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

const accountId = (raw: unknown) => parseId(raw, 'id', 'Identifiant de compte invalide');

/** /api/admin/users: accounts (create with a one-time link, change role and scope, deactivate, reset the password). */
export function adminAccountsRouter(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;

  router.get('/', async (_req, res) => {
    res.json({ users: await listAccounts(knex) });
  });

  router.get('/:id', async (req, res) => {
    const account = await accountById(knex, accountId(req.params.id));
    if (!account) throw notFound('Compte');
    res.json({ user: account });
  });

  router.post('/', async (req, res) => {
    const parsed = newAccount.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Compte invalide');
    res.status(201).json({ user: await createAccount(knex, currentUser(req).id, parsed.data, ctx.config.publicUrl) });
  });

  router.patch('/:id', async (req, res) => {
    const id = accountId(req.params.id);
    const parsed = accountChange.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Modification invalide');
    res.json({ user: await changeAccount(knex, currentUser(req).id, id, parsed.data) });
  });

  router.post('/:id/password-reset', async (req, res) => {
    const { expiresAt } = await resetPassword(knex, currentUser(req).id, accountId(req.params.id), ctx.config.publicUrl);
    res.status(202).json({ sent: true, expiresAt });
  });

  return router;
}
