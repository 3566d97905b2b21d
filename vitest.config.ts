import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'src/**/*.test.ts',
            'relay/**/*.test.ts',
            'tests/unit/**/*.test.ts',
            'tests/fakes/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 20_000,
          typecheck: {
            // Source errors are `npm run typecheck`'s job; this checks the type tests.
            ignoreSourceErrors: true,
            enabled: true,
            include: ['src/**/*.test-d.ts', 'relay/**/*.test-d.ts'],
            tsconfig: './tsconfig.json',
          },
        },
      },
      {
        // Real relay processes killed with kill -9, Redis restarts: slower, one file at a time.
        test: {
          name: 'relay-faults',
          include: ['tests/fault/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
