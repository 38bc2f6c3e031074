// ESLint (flat config): the recommended rules of ESLint, typescript-eslint and eslint-plugin-vue, less the
// template layout rules (the templates keep their own compact style), plus the rules that hold the app's
// shape: one way to call the API, and shared code that does not reach into the feature modules.
// Types are vue-tsc's job (`npm run typecheck`); these rules need no type information.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const API_MESSAGE = "call the API through a module's api.ts (the typed client is for api.ts files and the session store)"

export default defineConfig(
  {
    ignores: ['dist/', 'dist-*/', 'src/api/generated/', 'src/auto-imports.d.ts', 'src/components.d.ts'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // layout: the templates put several attributes on a line and short elements on one line
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/first-attribute-linebreak': 'off',
      // `#default="{ row }"` right on an el-table-column is the shorthand the pages use
      'vue/v-slot-style': ['warn', { atComponent: 'shorthand', default: 'shorthand', named: 'shorthand' }],
      // unused names are errors, except a leading underscore (an argument a callback must accept)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      // one way to call the server: the typed client of src/api/client.ts
      'no-restricted-globals': ['error',
        { name: 'fetch', message: API_MESSAGE },
        { name: 'XMLHttpRequest', message: API_MESSAGE },
      ],
      'no-restricted-properties': ['error',
        { object: 'window', property: 'fetch', message: API_MESSAGE },
        { object: 'globalThis', property: 'fetch', message: API_MESSAGE },
      ],
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          { name: 'axios', message: API_MESSAGE },
          { name: '@/api/client', importNames: ['api', 'unwrap', 'upload'], message: API_MESSAGE },
        ],
        patterns: [
          { group: ['@/api/generated/*'], message: 'use the types of @/api/client and the values of @/utils/enums' },
        ],
      }],
    },
  },
  {
    // where the typed client is used: the client itself, the modules' api.ts, the session store
    files: ['src/api/**', 'src/modules/*/api.ts', 'src/stores/auth.ts'],
    rules: {
      'no-restricted-globals': 'off', 'no-restricted-properties': 'off', '@typescript-eslint/no-restricted-imports': 'off',
    },
  },
  {
    // the enums are read from the generated module, once
    files: ['src/utils/enums.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    // shared code uses a feature module only through its api.ts (the router assembles the modules' routes; the
    // layout mounts the notify module's popup, which every page shows)
    files: ['src/components/**', 'src/composables/**', 'src/stores/**', 'src/utils/**'],
    ignores: ['src/components/AppLayout.vue'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['@/modules/*/views/*', '@/modules/*/components/*', '@/modules/*/composables/*'],
          message: 'shared code must not depend on a feature module’s pages or pieces',
        }],
      }],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: { 'no-restricted-globals': 'off', 'no-restricted-properties': 'off' },
  },
  {
    files: ['scripts/**', '*.config.{js,ts}'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-console': 'off' },
  },
)
