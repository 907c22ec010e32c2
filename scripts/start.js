// `npm start`: builds Hearth when the build is missing or older than the source, then serves it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const builtEntry = path.join(root, 'build', 'handler.js');
const sources = ['src', 'static', 'drizzle', 'svelte.config.js', 'vite.config.ts', 'package.json'];

/** @param {string} target @returns {number} */
function newestChange(target) {
	const full = path.join(root, target);
	if (!fs.existsSync(full)) return 0;
	const stat = fs.statSync(full);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let newest = stat.mtimeMs;
	for (const entry of fs.readdirSync(full, { recursive: true, withFileTypes: true })) {
		if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
	}
	return newest;
}

const builtAt = fs.existsSync(builtEntry) ? fs.statSync(builtEntry).mtimeMs : 0;
if (builtAt < Math.max(...sources.map(newestChange))) {
	console.log('Building Hearth…');
	const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
		cwd: root,
		stdio: ['inherit', 'pipe', 'inherit'],
		encoding: 'utf8'
	});
	// SvelteKit ends every build with "Run npm run preview …"; here the server starts next instead.
	process.stdout.write(result.stdout.replace(/^.*to preview your production build locally\.\n/m, ''));
	if (result.status !== 0) process.exit(result.status ?? 1);
}

process.env.PORT ||= '3000';
process.env.ORIGIN ||= `http://localhost:${process.env.PORT}`;
process.chdir(root);
await import('../server.js');
