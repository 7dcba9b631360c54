/* global process */
/** Jest projects: `unit` needs nothing but Node; `e2e` runs against lab hosts over real SSH. */

// Tests connect afresh on every run unless a test keeps connections on purpose (test/connection/keeper/
// sets bosun_ssh_persist), so a kept login never stands in for a new one after a test changed sshd, a
// firewall or a key. Set here, in jest's own process, so every worker and every process a test starts
// inherits it (a test file's process.env is a copy that child processes started without env do not see).
process.env.BOSUN_SSH_PERSIST ??= "0";

const common = {
  extensionsToTreatAsEsm: [".ts"],
  transform: { "^.+\\.ts$": "<rootDir>/test/support/esbuild-transform.cjs" },
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testEnvironment: "node",
};

export default {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/test/**/*.test.ts"], testPathIgnorePatterns: ["\\.e2e\\.test\\.ts$"] },
    {
      ...common,
      displayName: "e2e",
      testMatch: ["<rootDir>/test/**/*.e2e.test.ts"],
      globalSetup: "<rootDir>/test/e2e/global-setup.ts",
      globalTeardown: "<rootDir>/test/e2e/global-teardown.ts",
    },
  ],
  // testTimeout is a global option (ignored inside projects): e2e tests on lab hosts need minutes.
  testTimeout: 300000,
};
