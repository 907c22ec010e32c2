// As `sv create` sets it up (eslint-plugin-svelte, typescript-eslint, prettier), with type information
// for the rules that need it: STYLE.md's "promises are awaited or deliberately handled" is
// `no-floating-promises` (`void` marks a promise left to run on purpose).
import { fileURLToPath } from 'node:url';
import { includeIgnoreFile } from '@eslint/compat';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

const gitignorePath = fileURLToPath(new URL('./.gitignore', import.meta.url));

export default defineConfig(
	includeIgnoreFile(gitignorePath),
	{ ignores: ['drizzle/**'] },
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: {
			globals: { ...globals.browser, ...globals.node },
			parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
		},
		rules: {
			// TypeScript checks undefined names better (typescript-eslint's advice).
			'no-undef': 'off',
			'@typescript-eslint/no-floating-promises': 'error',
			// Hearth's views keep plain Maps and Sets on purpose and signal a change with one version counter
			// (work in proportion to the change, STYLE.md 13); a reactive collection would track every entry.
			'svelte/prefer-svelte-reactivity': 'off',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: {
			parserOptions: { extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig }
		}
	},
	{
		// Outside the TypeScript project (scripts, configs, and the service worker, which SvelteKit leaves out
		// because it runs with the worker's types rather than the DOM's): no type-aware rules.
		files: ['**/*.js', '*.config.ts', 'src/service-worker.ts'],
		...ts.configs.disableTypeChecked
	}
);
