// ESLint for the hand-written TypeScript (typescript-eslint's recommended rules, without
// type information so `npm run lint` stays quick on a 2-core machine). generated/ and
// specs/ are not linted: generated code is checked by tsc and formatted by the generator.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    // generated/ and the CRD classes kubex-gen wrote into the examples are generated code.
    ignores: [
      "generated/**",
      "specs/**",
      "test/fixtures/**",
      "**/crd-types/**",
      "**/node_modules/**",
      "**/dist/**",
      "docs/api/**",
      "test/packaging/consumer/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        URL: "readonly",
        URLSearchParams: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        TextDecoder: "readonly",
        TextEncoder: "readonly",
        performance: "readonly",
        structuredClone: "readonly",
        fetch: "readonly",
        queueMicrotask: "readonly",
        NodeJS: "readonly",
      },
    },
    rules: {
      // `_name` marks a binding kept on purpose (a destructured field left out, an unused parameter).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", destructuredArrayIgnorePattern: "^_" },
      ],
      // tsc (strict) already reports undefined names, with the types in view.
      "no-undef": "off",
      // A kind is a class merged with an interface of its fields on purpose (the generator's
      // pattern, copied by hand-written test kinds); tsc checks the merge.
      "@typescript-eslint/no-unsafe-declaration-merging": "off",
      // `interface LogOptions extends A, B {}` names a combination; an empty `{}` type is still flagged.
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "always" }],
    },
  },
  {
    // Each accessor file augments `AccessorTypes<T>`; augmentations must repeat the type
    // parameter even where the entry does not use it.
    files: ["runtime/src/api/accessors/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^(_|T$)", caughtErrors: "none" }],
    },
  },
  {
    // Tests read loose JSON from fake servers and reach into fakes; `any` stays out of the shipped code.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Guide examples show declarations a reader copies, and lines that must not compile
    // (`// @ts-expect-error` on a binding nothing reads).
    files: ["docs/examples/**/*.ts"],
    rules: { "@typescript-eslint/no-unused-vars": "off" },
  },
);
