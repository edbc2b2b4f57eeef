// npm run test:packaging: build, pack, publish to a local registry, install, compile, run.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/packaging/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
