import type { Request } from 'express';
import { decodeProtectedHeader } from 'jose';
import type { Reader } from '../ingest/index.js';
import { WildintelError } from '../kernel/index.js';
import type { HubServices } from './services.js';

function unauthenticated(reason: string, message: string): WildintelError {
  return new WildintelError('UNAUTHENTICATED', message, { details: { reason } });
}

/**
 * Who a REST request comes from: a member (a request JWT signed by its own key, design item 7)
 * or an agency (a token issued by this hub, design item 6).
 */
export function createAuthenticator(services: HubServices) {
  return async (req: Request): Promise<Reader> => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9_.-]{1,16384})$/.exec(header);
    if (match === null) throw unauthenticated('MISSING', 'send authorization: Bearer <member request token or agency token>');
    const token = match[1]!;
    let typ: unknown;
    try {
      typ = decodeProtectedHeader(token).typ;
    } catch {
      throw unauthenticated('MALFORMED', 'the bearer token is not a JWT');
    }
    if (typ === 'wildintel-member+jwt') {
      const principal = await services.memberRequests.verify(token);
      return { kind: 'member', member: principal.member };
    }
    const agency = await services.tokens.verifier.verify(token);
    return { kind: 'agency', agency: agency.agency, maxTlp: agency.tlp, provenance: agency.scopes.has('provenance:read') };
  };
}
