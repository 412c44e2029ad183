import { describe, expect, it } from 'vitest';
import { checkAccountScope, PASSWORD_MIN_LENGTH, passwordProblem, SCOPE_REASONS, type ScopeReferences } from '../../server/src/domain/accounts.js';

const refs: ScopeReferences = {
  communes: new Set(['91027', '91326']),
  services: new Map([['oph-proximite', 'oph'], ['ept-ctt', 'ept']]),
  organisations: new Set(['oph', 'ept']),
};

describe('checkAccountScope (role ↔ scope, one rule)', () => {
  it('when a commune user names a commune of the territory, then that is the scope', () => {
    expect(checkAccountScope('commune_user', { communeInsee: ' 91027 ' }, refs)).toEqual({ valid: true, scope: { communeInsee: '91027', serviceCode: null, organisationCode: null } });
  });
  it('when a service agent names a service, then its organisation comes with it', () => {
    expect(checkAccountScope('service_agent', { serviceCode: 'oph-proximite' }, refs)).toEqual({ valid: true, scope: { communeInsee: null, serviceCode: 'oph-proximite', organisationCode: 'oph' } });
  });
  it('when an officer carries an organisation and empty strings, then the empties count as absent', () => {
    expect(checkAccountScope('gup_officer', { organisationCode: 'ept', communeInsee: '', serviceCode: '' }, refs)).toEqual({ valid: true, scope: { communeInsee: null, serviceCode: null, organisationCode: 'ept' } });
  });
  it.each([
    ['commune_user', {}, 'communeInsee', SCOPE_REASONS.communeRequired],
    ['commune_user', { communeInsee: '75056' }, 'communeInsee', SCOPE_REASONS.communeUnknown],
    ['commune_user', { communeInsee: '91027', serviceCode: 'ept-ctt' }, 'serviceCode', SCOPE_REASONS.serviceForbidden],
    ['service_agent', {}, 'serviceCode', SCOPE_REASONS.serviceRequired],
    ['service_agent', { serviceCode: 'x' }, 'serviceCode', SCOPE_REASONS.serviceUnknown],
    ['service_agent', { serviceCode: 'oph-proximite', organisationCode: 'ept' }, 'organisationCode', SCOPE_REASONS.organisationMismatch],
    ['planner', { communeInsee: '91027' }, 'communeInsee', SCOPE_REASONS.communeForbidden],
    ['admin', { serviceCode: 'ept-ctt' }, 'serviceCode', SCOPE_REASONS.serviceForbidden],
    ['admin', { organisationCode: 'nulle' }, 'organisationCode', SCOPE_REASONS.organisationUnknown],
  ] as const)('when a %s has %o, then it is refused on %s', (role, input, field, reason) => {
    expect(checkAccountScope(role, input, refs)).toEqual({ valid: false, field, reason });
  });
});

describe('the password policy (passwordProblem)', () => {
  it('when a password has 12 characters or more, not all the same, then it is accepted; characters are counted as a person sees them', () => {
    expect(passwordProblem('un-mot-de-passe-solide')).toBeNull();
    expect(passwordProblem('😀😁😂🤣😃😄😅😆😉😊😋😎')).toBeNull(); // 12 characters, 24 UTF-16 units
    expect(passwordProblem('😀'.repeat(6))).toBe(`${PASSWORD_MIN_LENGTH} caractères au moins`); // 6 characters, 12 units
    expect(passwordProblem('onze-caract')).toBe(`${PASSWORD_MIN_LENGTH} caractères au moins`);
    expect(passwordProblem(' '.repeat(30))).toBe('un seul caractère répété');
  });
});
