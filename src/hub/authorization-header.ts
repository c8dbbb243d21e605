/**
 * The one reading of an `Authorization` header, for every path (GraphQL over HTTP and WebSocket,
 * REST, TAXII, MISP). RFC 9110 11.1 makes the scheme case-insensitive and separates it from the
 * credentials by one or more spaces. `Token` is accepted beside `Bearer` because taxii2-client's
 * TokenAuth, and so OpenCTI's TAXII2 connector with TAXII2_USE_TOKEN=true, sends `Token <jwt>`
 * and cannot be configured otherwise. Pure: no I/O.
 */

/** The schemes whose credentials are our bearer tokens (lower case). */
export const TOKEN_SCHEMES: readonly string[] = ['bearer', 'token'];

const TOKEN = /^[A-Za-z0-9_.-]{1,16384}$/;

export type AuthorizationReading = { readonly kind: 'none' } | { readonly kind: 'token'; readonly token: string } | { readonly kind: 'malformed' };

export function readAuthorization(header: string | undefined): AuthorizationReading {
  if (header === undefined || header === '') return { kind: 'none' };
  const space = header.indexOf(' ');
  if (space <= 0) return { kind: 'malformed' };
  const scheme = header.slice(0, space).toLowerCase();
  const token = header.slice(space).replace(/^ +/, '');
  if (!TOKEN_SCHEMES.includes(scheme) || !TOKEN.test(token)) return { kind: 'malformed' };
  return { kind: 'token', token };
}
