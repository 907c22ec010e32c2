// Shared with the browser so forms can hint before submitting; the server checks again.
export const PASSWORD_MIN_LENGTH = 10;
// argon2 accepts any length; a maximum keeps a megabyte "password" from becoming a denial of service.
export const PASSWORD_MAX_LENGTH = 256;
