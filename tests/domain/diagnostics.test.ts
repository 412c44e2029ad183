import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { paths } from '../../server/src/config.js';
import { territoryConfigSchema } from '../../server/src/domain/territory.js';
import {
  canMoveDiagnostic, checkSessionGeometry, criteriaOf, diagnosticScope, distanceMetres, isActionOverdue, isShareable, mayOrganiseIn,
  nearIdentical, nearIdenticalGroups, parisToday, type ObservationGrid,
} from '../../server/src/domain/index.js';

const user = (role: 'admin' | 'planner' | 'gup_officer' | 'commune_user' | 'service_agent', communeInsee: string | null = null) => ({ role, communeInsee, serviceCode: role === 'service_agent' ? 'oph-proximite' : null });

describe('who reaches and organises walking diagnoses', () => {
  it('when scopes are asked per role, then officers, admins and planners reach all, a commune user its commune, a service agent none', () => {
    expect(diagnosticScope(user('gup_officer'))).toEqual({ kind: 'all' });
    expect(diagnosticScope(user('planner'))).toEqual({ kind: 'all' });
    expect(diagnosticScope(user('commune_user', '91027'))).toEqual({ kind: 'commune', insee: '91027' });
    expect(diagnosticScope(user('commune_user', null))).toEqual({ kind: 'none' });
    expect(diagnosticScope(user('service_agent'))).toEqual({ kind: 'none' });
  });
  it('when organising is asked, then officers and admins anywhere, a commune user at home only, planners and agents never', () => {
    expect(mayOrganiseIn(user('gup_officer'), '91326')).toBe(true);
    expect(mayOrganiseIn(user('admin'), '91326')).toBe(true);
    expect(mayOrganiseIn(user('commune_user', '91027'), '91027')).toBe(true);
    expect(mayOrganiseIn(user('commune_user', '91027'), '91326')).toBe(false);
    expect(mayOrganiseIn(user('planner'), '91027')).toBe(false);
    expect(mayOrganiseIn(user('service_agent'), '91027')).toBe(false);
  });
});

describe('near-identical observations', () => {
  const at = (id: number, criterion: string, dx: number) => ({ id, criterion, lon: 2.36 + dx / (111_320 * Math.cos((48.7 * Math.PI) / 180)), lat: 48.7 });
  it('when two observations of the same criterion are 10 m apart, then they are near-identical; at 20 m or of another criterion, not', () => {
    expect(distanceMetres([at(1, 'x', 0).lon, 48.7], [at(2, 'x', 10).lon, 48.7])).toBeCloseTo(10, 0);
    expect(nearIdentical(at(1, 'x', 0), [at(2, 'x', 10), at(3, 'x', 20), at(4, 'y', 1)]).map((o) => o.id)).toEqual([2]);
  });
  it('when observations chain within the distance, then they form one group; lone ones none', () => {
    expect(nearIdenticalGroups([at(1, 'x', 0), at(2, 'x', 12), at(3, 'x', 24), at(4, 'x', 100), at(5, 'y', 0)])).toEqual([[1, 2, 3]]);
  });
});

describe('sessions and action plan', () => {
  it('when a status moves back, then it is refused; forward or skipping, allowed', () => {
    expect(canMoveDiagnostic('planned', 'triage')).toBe(true);
    expect(canMoveDiagnostic('triage', 'in_progress')).toBe(false);
    expect(canMoveDiagnostic('closed', 'closed')).toBe(true);
  });
  it('when an item is still open after its due day, then it is overdue; done, dropped or due today, not', () => {
    expect(isActionOverdue('planned', '2026-03-01', '2026-03-02')).toBe(true);
    expect(isActionOverdue('in_progress', '2026-03-01', '2026-03-02')).toBe(true);
    expect(isActionOverdue('planned', '2026-03-02', '2026-03-02')).toBe(false);
    expect(isActionOverdue('done', '2026-03-01', '2026-03-02')).toBe(false);
    expect(isActionOverdue('dropped', '2026-03-01', '2026-03-02')).toBe(false);
    expect(isActionOverdue('planned', null, '2026-03-02')).toBe(false);
  });
  it('when it is 23:30 UTC on 31 December, then Paris is already on 1 January', () => {
    expect(parisToday(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
  });
  it('when a route or area is checked, then lines of two points in France and valid polygons pass; the rest is refused with a reason', () => {
    expect(checkSessionGeometry({ type: 'LineString', coordinates: [[2.36, 48.7], [2.37, 48.7]] }).valid).toBe(true);
    expect(checkSessionGeometry({ type: 'Polygon', coordinates: [[[2.36, 48.7], [2.37, 48.7], [2.37, 48.71], [2.36, 48.7]]] }).valid).toBe(true);
    expect(checkSessionGeometry({ type: 'LineString', coordinates: [[48.7, 2.36], [48.7, 2.37]] })).toMatchObject({ valid: false, reason: 'swapped_coordinates' });
    expect(checkSessionGeometry({ type: 'LineString', coordinates: [[2.36, 48.7], ['x', 48.7]] })).toMatchObject({ valid: false, reason: 'bad_coordinate' });
    expect(checkSessionGeometry({ type: 'Point', coordinates: [2.36, 48.7] }).valid).toBe(false);
  });
  it('when a criterion is confidential, then it is not shareable', () => {
    const grid: ObservationGrid = [{ code: 't', name: 'Tranquillité', criteria: [{ code: 'a', name: 'A', confidential: true }, { code: 'b', name: 'B', confidential: false }] }];
    const c = criteriaOf(grid);
    expect(isShareable(c.get('a'))).toBe(false);
    expect(isShareable(c.get('b'))).toBe(true);
    expect(c.get('a')?.themeName).toBe('Tranquillité');
  });
});

describe('the observation grid in the territory configuration', () => {
  const demo = () => JSON.parse(fs.readFileSync(path.join(paths.repoRoot, 'geodata', 'territoire.demo.json'), 'utf8'));
  it('when the demo configuration is read, then its grid has the eleven themes, tranquillité confidential and nothing else', () => {
    const cfg = territoryConfigSchema.parse(demo());
    expect(cfg.observationGrid!.map((t) => t.name)).toEqual([
      'Propreté', 'Encombrants et épaves', 'Éclairage', 'Espaces verts et aires de jeux', 'Cheminements et accessibilité', 'Stationnement',
      'Mobilier urbain', 'Signalétique', 'Entrées d\'immeubles', 'Chantiers', 'Tranquillité',
    ]);
    const confidential = cfg.observationGrid!.flatMap((t) => t.criteria.filter((c) => c.confidential).map(() => t.code));
    expect(new Set(confidential)).toEqual(new Set(['tranquillite']));
  });
  it('when a criterion names an unknown report category or a criterion code is repeated, then the configuration is refused naming it', () => {
    const bad = demo();
    bad.observationGrid[0].criteria[0].category = 'licorne';
    bad.observationGrid[1].criteria[0].code = bad.observationGrid[0].criteria[1].code;
    const issues = territoryConfigSchema.safeParse(bad).error!.issues.map((i) => i.path.join('.'));
    expect(issues).toEqual(expect.arrayContaining(['observationGrid.0.criteria.0.category', 'observationGrid.1.criteria.0.code']));
  });
});
