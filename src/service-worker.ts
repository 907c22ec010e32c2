/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />
// Hearth's service worker keeps the app shell only: the built scripts and styles, the icons, the manifest and
// the offline page. Nothing a server renders for a person (pages, /api, the realtime socket, calendar feeds)
// is cached or even looked at: those requests go to the network as if there were no service worker, and a
// page that cannot be reached shows the offline page instead. A new version installs beside the old one and
// waits until the person chooses to reload (ServiceWorkerUpdate.svelte), so nobody loses what they are typing.
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;

const CACHE = `hearth-shell-${version}`;
const OFFLINE_PAGE = '/offline.html';
/** Static files worth keeping: the offline page, the manifest and the icons. */
const SHELL_FILES = files.filter(
	(file) =>
		file === OFFLINE_PAGE || file === '/manifest.webmanifest' || file === '/favicon.svg' || file.startsWith('/icons/')
);
const SHELL = new Set([...build, ...SHELL_FILES]);

sw.addEventListener('install', (event) => {
	event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...SHELL])));
});

sw.addEventListener('activate', (event) => {
	// Old versions' shells only: this worker never stores anything else.
	event.waitUntil(
		caches.keys().then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
	);
});

sw.addEventListener('message', (event) => {
	if (event.data === 'skip-waiting') sw.skipWaiting();
});

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;
	if (SHELL.has(url.pathname)) {
		event.respondWith(
			caches
				.open(CACHE)
				.then((cache) => cache.match(url.pathname))
				.then((cached) => cached ?? fetch(request))
		);
		return;
	}
	if (request.mode === 'navigate') {
		// Network only; the offline page when the network itself fails (an error page from the server is shown as is).
		event.respondWith(
			fetch(request).catch(async () => (await (await caches.open(CACHE)).match(OFFLINE_PAGE)) ?? Response.error())
		);
	}
	// Everything else is not answered here, so the browser fetches it as usual and nothing is kept.
});
