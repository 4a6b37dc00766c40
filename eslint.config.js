// @ts-check
import { readdirSync } from 'node:fs'
import js from '@eslint/js'
import pluginQuery from '@tanstack/eslint-plugin-query'
import { importX } from 'eslint-plugin-import-x'
import jsxA11y from 'eslint-plugin-jsx-a11y'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// Every folder under src/features is a feature; each may import only itself among them.
const features = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'public/mockServiceWorker.js', 'test-results/', 'playwright-report/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.browser, ...globals.node },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
      // Value-import cycles; scripts/import-cycles.ts (run by `npm run lint`) also counts type-only imports.
      'import-x/no-cycle': 'error',
      'import-x/no-default-export': 'error',
      // One-way flow: contract <- api <- features <- app; server and mocks never import React code.
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...features.map((feature) => ({
              target: `./src/features/${feature}`,
              from: './src/features',
              except: [`./${feature}`],
              message: 'Features never import each other: move shared code to src/components, src/lib or src/api.',
            })),
            { target: './src/contract', from: ['./src/api', './src/features', './src/app', './src/components', './src/lib'], message: 'The contract depends on nothing but zod.' },
            { target: ['./src/features', './src/components', './src/lib', './src/api'], from: './src/app', message: 'Nothing imports the app layer.' },
            { target: './server', from: ['./src/api', './src/features', './src/app', './src/components'], message: 'The server uses the contract, never React code.' },
            { target: './mocks', from: ['./src/api', './src/features', './src/app', './src/components', './server'], message: 'Mocks are built from the contract only.' },
            { target: './server', from: './mocks', message: 'The server never imports the mocks: what both need (the demo world) lives in demo/.' },
            {
              target: './demo',
              from: ['./server', './mocks', './src/app', './src/features', './src/components', './src/api'],
              message: 'demo/ is imported by the server and the mocks, so it imports neither, nor React code: only the contract.',
            },
            {
              target: './domain',
              from: ['./server', './mocks', './demo', './src/app', './src/features', './src/components', './src/api', './src/lib'],
              message: 'domain/ holds the pure rules the server and the mocks share: it imports only the contract.',
            },
          ],
        },
      ],
    },
    settings: { 'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.tsx', '.js'] })] },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ...jsxA11y.flatConfigs.recommended,
  },
  ...pluginQuery.configs['flat/recommended'],
  {
    // Config files are loaded by their tools through a default export.
    files: ['*.config.{js,ts}', 'eslint.config.js', 'e2e/global-setup.ts'],
    rules: { 'import-x/no-default-export': 'off' },
  },
  {
    // Plain JavaScript (the start and build scripts) is not in the TypeScript project.
    files: ['**/*.{js,mjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.test.{ts,tsx}', 'e2e/**/*.ts', 'bench/**/*.ts', 'server/testing/**/*.ts'],
    // expect.any()/stringContaining() are typed `any` by vitest; they are matchers, not values.
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
)
