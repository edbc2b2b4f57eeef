// ESLint for the hand-written TypeScript (typescript-eslint's recommended rules, without
// type information so `npm run lint` stays quick on a 2-core machine). generated/ and
// specs/ are not linted: generated code is checked by tsc and formatted by the generator.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["generated/**", "specs/**", "test/fixtures/**", "**/node_modules/**", "**/dist/**", "docs/api/**", "test/packaging/consumer/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", setImmediate: "readonly", URL: "readonly", URLSearchParams: "readonly", AbortController: "readonly", AbortSignal: "readonly", TextDecoder: "readonly", TextEncoder: "readonly", performance: "readonly", structuredClone: "readonly", fetch: "readonly", queueMicrotask: "readonly", NodeJS: "readonly" },
    },
    rules: {
      // `_name` marks a binding kept on purpose (a destructured field left out, an unused parameter).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", destructuredArrayIgnorePattern: "^_" }],
      // tsc (strict) already reports undefined names, with the types in view.
      "no-undef": "off",
    },
  },
);
