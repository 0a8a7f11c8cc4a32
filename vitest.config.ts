import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/build.ts'],
    // No git the tests run (directly, through simple-git or through the CLI) reads the developer's
    // global or system git config (test/helpers/cli.ts passes the same to CLI child processes).
    env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
