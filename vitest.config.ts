import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["kubex-source"] },
  ssr: { resolve: { conditions: ["kubex-source"], externalConditions: ["kubex-source"] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/cluster/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
