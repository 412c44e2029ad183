import { z } from 'zod';
import { isOneLine } from './text.js';

/** Schema of a territory configuration file (the demo one is geodata/territoire.demo.json). */
const code = z.string().min(1).max(64);
const contact = { email: z.string().email().optional(), phone: z.string().max(40).optional() };
const insee = z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE à 5 caractères attendu');
const siren = z.string().regex(/^[0-9]{9}$/, 'SIREN à 9 chiffres attendu');
const hours = z.number().int().positive();
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date AAAA-MM-JJ attendue');
/** A person of the directory: a referent or a deputy. */
/** A name that becomes part of an e-mail subject (a header: services, categories): one line (`isOneLine`). */
const oneLineName = z.string().min(1).refine(isOneLine, 'une seule ligne (ni retour à la ligne ni caractère de contrôle)');
const person = z.object({ name: z.string().min(1).max(200), function: z.string().max(200).optional(), ...contact });

/** The walking-diagnosis observation grid (DESIGN 3.6; `ObservationGrid` in ./diagnostics.ts). */
export const observationGridSchema = z.array(z.object({
  code,
  name: z.string().min(1),
  criteria: z.array(z.object({ code, name: z.string().min(1), category: code.optional(), confidential: z.boolean().default(false) })).min(1),
}));

export const ROLES = ['admin', 'planner', 'gup_officer', 'commune_user', 'service_agent'] as const;
export type Role = (typeof ROLES)[number];

export const territoryConfigSchema = z
  .object({
    about: z.string().optional(),
    territory: z.object({
      name: z.string().min(1),
      kind: z.string().min(1),
      siren: siren.optional(),
      publicDomainOwner: z.enum(['commune', 'agglomeration']),
      delegationThreshold: z.number().gt(0).lt(1).default(0.6),
    }),
    sectors: z.array(z.object({ code, name: z.string().min(1), delegate: z.object({ name: z.string(), ...contact }).optional() })).default([]),
    communes: z.array(z.object({ insee, name: z.string().min(1), siren: siren.optional(), sector: code.optional() })).min(1),
    organisations: z.array(
      z.object({
        code,
        name: z.string().min(1),
        kind: z.enum(['agglomeration', 'commune', 'landlord', 'state', 'region', 'departement', 'public_establishment', 'other']),
        siren: siren.optional(),
        insee: insee.optional(),
      }),
    ),
    services: z.array(z.object({
      code, organisation: code, name: oneLineName, ...contact,
      // the directory's fields (DESIGN 3.7), all optional
      referents: z.array(person).max(50).optional(),
      deputy: person.optional(),
      hours: z.string().max(300).optional(),
      verifiedAt: isoDay.optional(),
      communes: z.array(insee).optional(),
      qpv: z.array(z.string().min(1).max(20)).optional(),
    })),
    themes: z.array(
      z.object({ code, name: z.string().min(1), mode: z.enum(['ownership', 'competence']), service: code.optional() }),
    ),
    managers: z.array(z.object({ organisation: code, theme: z.string().min(1), service: code })),
    privateLand: z.array(z.object({ commune: insee, service: code })).default([]),
    triageService: code,
    categories: z.array(
      z.object({
        code,
        name: oneLineName,
        theme: code,
        alsoNotify: z.array(code).default([]),
        ackHours: hours,
        resolveHours: hours,
        resolveHoursQpv: hours.optional(),
        seasonal: z
          .object({ months: z.array(z.number().int().min(1).max(12)).min(1), resolveHours: hours, resolveHoursQpv: hours.optional() })
          .optional(),
      }),
    ),
    urgency: z
      .object({ resolveHours: hours, criteria: z.array(z.object({ code, name: z.string().min(1) })) })
      .default({ resolveHours: 24, criteria: [] }),
    duplicates: z.object({ radiusMeters: z.number().positive(), windowDays: z.number().int().positive() }).default({ radiusMeters: 30, windowDays: 14 }),
    observationGrid: observationGridSchema.optional(),
    demoUsers: z
      .array(
        z.object({
          email: z.string().email(),
          role: z.enum(ROLES),
          name: z.string().min(1),
          organisation: code.optional(),
          commune: insee.optional(),
          service: code.optional(),
        }),
      )
      .default([]),
    demoPassword: z.string().min(8).optional(),
  })
  .superRefine((cfg, ctx) => {
    const orgs = new Set(cfg.organisations.map((o) => o.code));
    const services = new Set(cfg.services.map((s) => s.code));
    const themes = new Set(cfg.themes.map((t) => t.code));
    const sectors = new Set(cfg.sectors.map((s) => s.code));
    const need = (ok: boolean, path: (string | number)[], message: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', path, message });
    };
    cfg.communes.forEach((c, i) => c.sector && need(sectors.has(c.sector), ['communes', i, 'sector'], `secteur inconnu « ${c.sector} »`));
    const communes = new Set(cfg.communes.map((c) => c.insee));
    cfg.services.forEach((s, i) => {
      need(orgs.has(s.organisation), ['services', i, 'organisation'], `organisation inconnue « ${s.organisation} »`);
      s.communes?.forEach((c, j) => need(communes.has(c), ['services', i, 'communes', j], `commune hors du territoire « ${c} »`));
    });
    cfg.themes.forEach((t, i) => {
      if (t.mode === 'competence') need(!!t.service && services.has(t.service), ['themes', i, 'service'], 'un thème de compétence doit nommer un service connu');
    });
    cfg.managers.forEach((m, i) => {
      need(orgs.has(m.organisation), ['managers', i, 'organisation'], `organisation inconnue « ${m.organisation} »`);
      need(m.theme === '*' || themes.has(m.theme), ['managers', i, 'theme'], `thème inconnu « ${m.theme} »`);
      need(services.has(m.service), ['managers', i, 'service'], `service inconnu « ${m.service} »`);
    });
    cfg.privateLand.forEach((p, i) => need(services.has(p.service), ['privateLand', i, 'service'], `service inconnu « ${p.service} »`));
    need(services.has(cfg.triageService), ['triageService'], `service inconnu « ${cfg.triageService} »`);
    cfg.categories.forEach((c, i) => {
      need(themes.has(c.theme), ['categories', i, 'theme'], `thème inconnu « ${c.theme} »`);
      c.alsoNotify.forEach((s, j) => need(services.has(s), ['categories', i, 'alsoNotify', j], `service inconnu « ${s} »`));
    });
    const categories = new Set(cfg.categories.map((c) => c.code));
    const criteria = new Set<string>();
    cfg.observationGrid?.forEach((th, i) => th.criteria.forEach((c, j) => {
      need(!c.category || categories.has(c.category), ['observationGrid', i, 'criteria', j, 'category'], `catégorie inconnue « ${c.category} »`);
      need(!criteria.has(c.code), ['observationGrid', i, 'criteria', j, 'code'], `critère en double « ${c.code} »`);
      criteria.add(c.code);
    }));
  });

export type TerritoryConfig = z.infer<typeof territoryConfigSchema>;
