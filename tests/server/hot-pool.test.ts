import { describe, expect, it } from 'vitest';
import { withStartupOption } from '../../server/src/data/connection.js';

const GENERIC = '-c plan_cache_mode=force_generic_plan';
const optionsOf = (url: string) => new URL(url).searchParams.get('options');

describe('hot pool connection settings (server/src/data/db.ts)', () => {
  it('when the URL has no options, then the generic-plan setting becomes its options, the rest of the URL unchanged', () => {
    const url = withStartupOption('postgres://gup:p%40ss@db.example.org:5433/gup?sslmode=require', GENERIC);
    expect(optionsOf(url)).toBe(GENERIC);
    const u = new URL(url);
    expect([u.username, u.password, u.host, u.pathname, u.searchParams.get('sslmode')]).toEqual(['gup', 'p%40ss', 'db.example.org:5433', '/gup', 'require']);
  });

  it('when the URL already sets options, then they are kept and the generic-plan setting comes after them', () => {
    const url = withStartupOption('postgres://gup@localhost/gup?options=-c%20search_path%3Dgup', GENERIC);
    expect(optionsOf(url)).toBe(`-c search_path=gup ${GENERIC}`);
  });
});
