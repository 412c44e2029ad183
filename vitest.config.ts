import { defineConfig } from 'vitest/config';

// One worker, no isolation: every test file shares one database loaded once with the demo data
// (tests/support/context.ts), an embedded PGlite by default or DATABASE_URL's PostgreSQL.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    fileParallelism: false,
    isolate: false,
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 240_000,
    reporters: ['default'],
    sequence: { hooks: 'list' },
  },
});
