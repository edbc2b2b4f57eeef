// npm run test:packaging: build, pack, publish to a local registry, install, compile, run.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/packaging/**/*.test.ts"],
    testTimeout: 360_000, // above run()'s 300 s per command, so a slow command fails with its own message
    hookTimeout: 600_000,
  },
});
