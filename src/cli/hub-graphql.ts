import { WildintelError } from '../kernel/index.js';
import { CliError } from './files.js';

/**
 * One GraphQL request to a hub with a bearer token, for the agency and auditor commands. A refusal
 * keeps the hub's code (`wildintel: … [NOT_FOUND]`); an unreachable hub is HUB_UNREACHABLE.
 */
export async function hubGraphql<T>(hub: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${hub.replace(/\/$/, '')}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (cause) {
    throw new WildintelError('HUB_UNREACHABLE', `cannot reach ${hub}: ${(cause as Error).message}`, { cause });
  }
  const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  const error = body.errors?.[0];
  if (error !== undefined) throw new WildintelError(error.extensions?.code ?? 'HUB_REFUSED', `the hub refused: ${error.message}`);
  if (body.data === undefined) throw new CliError('INVALID_ARGUMENT', `the hub answered HTTP ${res.status} without data`);
  return body.data;
}
