/**
 * The console's only way to the hub: GraphQL over HTTP and graphql-ws, with the analyst's token.
 * The token lives in this tab's sessionStorage (so a reload keeps the analyst signed in) and in
 * memory; never in a URL, a cookie or localStorage. Signing out forgets it and closes the socket.
 */
import { createClient, type Client } from 'graphql-ws/client';

const TOKEN_KEY = 'wildintel.token';

export type Scope = 'INDICATORS_READ' | 'SELLERS_READ' | 'MATCH_IMAGE' | 'MATCH_TEXT' | 'STATS_READ' | 'PROVENANCE_READ' | 'AUDIT_READ' | 'ADMIN' | 'REFERRALS_READ' | 'REFERRALS_ACT';
export const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'] as const;
export type Tlp = (typeof TLPS)[number];
export const COMMODITIES = ['IVORY', 'RHINO_HORN', 'PANGOLIN', 'TIGER', 'LEOPARD', 'TURTLE_TORTOISE', 'BIRD', 'PRIMATE', 'REPTILE', 'OTHER'] as const;
export const INDICATOR_TYPES = ['KEYWORD', 'SELLER', 'IMAGE_PDQ', 'IMAGE_SHA256'] as const;
export const STATUSES = ['UNREVIEWED', 'CONFIRMED', 'DISPUTED', 'FALSE_POSITIVE'] as const;

export interface Me {
  kind: 'AGENCY' | 'MEMBER' | 'ANONYMOUS';
  agency: string | null;
  subject: string | null;
  scopes: Scope[];
  tlp: Tlp | null;
  commodities: string[] | null;
  tokenId: string | null;
  expiresAt: string | null;
}

export interface Session {
  readonly token: string;
  readonly me: Me;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const can = (me: Me, scope: Scope): boolean => me.scopes.includes(scope);
export const tlpsUpTo = (tlp: Tlp | null): Tlp[] => (tlp === null ? [] : TLPS.slice(0, TLPS.indexOf(tlp) + 1));

/** A GraphQL request; any error (with or without data) is thrown with its code. */
export async function gql<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('NETWORK', 'the hub cannot be reached');
  }
  const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  const error = body.errors?.[0];
  if (error !== undefined) throw new ApiError(error.extensions?.code ?? 'ERROR', error.message);
  if (body.data === undefined) throw new ApiError(`HTTP_${res.status}`, `the hub answered ${res.status}`);
  return body.data;
}

const ME = `{ me { kind agency subject scopes tlp commodities tokenId expiresAt } }`;

/** Checks a pasted token with the hub; only an agency token signs in. */
export async function signIn(token: string): Promise<Session> {
  const clean = token.trim().replace(/^Bearer\s+/i, '');
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(clean)) throw new ApiError('MALFORMED', 'a token is three base64url parts separated by dots');
  const { me } = await gql<{ me: Me }>(clean, ME);
  if (me.kind !== 'AGENCY') throw new ApiError('NOT_AN_AGENCY_TOKEN', 'this is not an agency token');
  sessionStorage.setItem(TOKEN_KEY, clean);
  return { token: clean, me };
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export interface LiveAlert {
  id: string;
  watchlistId: string;
  watchlistName: string;
  reason: string;
  matched: string | null;
  distance: number | null;
  member: string;
  tlp: string;
  commodity: string;
  createdAt: string;
  acknowledged: boolean;
  retracted: boolean;
  indicator: { id: string; type: string; value: string };
}

export const ALERT_FIELDS = `id watchlistId watchlistName reason matched distance member tlp commodity createdAt acknowledged retracted indicator { id type value }`;

export type LiveState = 'connecting' | 'live' | 'closed';

/** The socket that brings alerts as they are raised; one per signed-in session. */
export function connectAlerts(token: string, onAlert: (alert: LiveAlert) => void, onState: (state: LiveState) => void): { dispose(): void } {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const client: Client = createClient({
    url: `${scheme}://${location.host}/graphql`,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 5,
    on: { connecting: () => onState('connecting'), connected: () => onState('live'), closed: () => onState('closed') },
  });
  const stop = client.subscribe<{ alertRaised: LiveAlert }>(
    { query: `subscription { alertRaised { ${ALERT_FIELDS} } }` },
    { next: (m) => m.data && onAlert(m.data.alertRaised), error: () => onState('closed'), complete: () => undefined },
  );
  return {
    dispose() {
      stop();
      void client.dispose();
      onState('closed');
    },
  };
}

export const REFERRAL_FIELDS = `id caseRef member urgency commodity place summary state overdue filedAt acknowledgedAt result declineReason sellers indicators`;

export interface Referral {
  id: string;
  caseRef: string;
  member: string;
  urgency: string;
  commodity: string;
  place: string;
  summary: string;
  state: string;
  overdue: boolean;
  filedAt: string;
  acknowledgedAt: string | null;
  result: string | null;
  declineReason: string | null;
  sellers: string[];
  indicators: string[];
}

/** Referrals routed to the analyst's agency as members file them (the inbox's live alert). */
export function connectReferrals(token: string, onReferral: (referral: Referral) => void): { dispose(): void } {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const client: Client = createClient({ url: `${scheme}://${location.host}/graphql`, connectionParams: { authorization: `Bearer ${token}` }, lazy: false, retryAttempts: 5 });
  const stop = client.subscribe<{ referralFiled: Referral }>(
    { query: `subscription { referralFiled { ${REFERRAL_FIELDS} } }` },
    { next: (m) => m.data && onReferral(m.data.referralFiled), error: () => undefined, complete: () => undefined },
  );
  return {
    dispose() {
      stop();
      void client.dispose();
    },
  };
}
