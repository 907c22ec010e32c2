import { getConfig } from '$lib/server/config';
import type { LayoutServerLoad } from './$types';

// Every page, signed in or not, needs to know Hearth's own address to tell a person opened at another.
export const load: LayoutServerLoad = () => ({ hearthOrigin: getConfig().origin ?? null });
