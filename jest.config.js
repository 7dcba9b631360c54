/** Jest projects: `unit` needs nothing but Node; `e2e` runs against lab hosts over real SSH. */
const common = {
  extensionsToTreatAsEsm: [".ts"],
  transform: { "^.+\\.ts$": "<rootDir>/test/support/esbuild-transform.cjs" },
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testEnvironment: "node",
  setupFiles: ["<rootDir>/test/support/no-kept-connections.cjs"],
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
