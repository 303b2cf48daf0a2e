import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  { ignores: ["node_modules/**", "data/**", "models/**", ".chatrec/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    // The web chat's script runs in the browser.
    files: ["adapters/webhook/chat.js"],
    languageOptions: {
      sourceType: "script",
      globals: Object.fromEntries(
        ["document", "window", "localStorage", "crypto", "fetch", "TextDecoderStream"].map((g) => [
          g,
          "readonly",
        ]),
      ),
    },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-imports": "off",
    },
  },
  {
    // The core never depends on a platform adapter, and the product never on research code.
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/adapters/**", "../adapters/*"], message: "src/ never imports adapters/" },
            { group: ["**/research/**"], message: "the product never imports research/" },
          ],
        },
      ],
    },
  },
  {
    files: ["adapters/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ group: ["**/research/**"], message: "the product never imports research/" }],
        },
      ],
    },
  },
);
