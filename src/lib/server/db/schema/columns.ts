import { customType } from 'drizzle-orm/pg-core';

/**
 * Raw bytes. postgres.js only sends a Buffer as bytea (a plain Uint8Array would be sent as text), so
 * values go out as Buffers; they come back as Uint8Arrays.
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
	dataType: () => 'bytea',
	toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength)
});
