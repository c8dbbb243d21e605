import { sha256Base64url } from '../kernel/index.js';
import { canonicalJson, type JsonValue } from '../provenance/index.js';
import type { AccessRecordInput } from './access-audit.js';
import type { AgencyPrincipal } from './agency-token.js';

/** One agency read as the access audit records it, on any path (GraphQL over HTTP or graphql-ws, REST). */
export interface AgencyRead {
  readonly at: Date;
  /** The GraphQL operation name or type, or the REST route, e.g. `GET /v1/feed`. */
  readonly operation: string;
  /** Root fields asked for, comma-separated; for REST the route's name. */
  readonly fields: string;
  /** The variables or query parameters: only their hash is kept. */
  readonly variables: JsonValue;
  /** How many things the answer handed over. */
  readonly returned: number;
  readonly outcome: AccessRecordInput['outcome'];
}

export function accessRecordOf(principal: AgencyPrincipal, read: AgencyRead): AccessRecordInput {
  return {
    at: read.at,
    agency: principal.agency,
    analyst: principal.sub,
    jti: principal.jti,
    operation: read.operation,
    fields: read.fields,
    variablesSha256: sha256Base64url(canonicalJson(read.variables)),
    returned: read.returned,
    outcome: read.outcome,
  };
}
