import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Database } from '../db/index.js';
import { WildintelError, type Clock, type Logger } from '../kernel/index.js';
import type { HubServices } from './services.js';
import { listSightingSharing, setSightingSharing } from '../interop/index.js';
import type { AgencyKeyRegistration } from '../disclosure/index.js';

/**
 * Operator actions (migrate, enrol a member, issue a token…) are plain functions
 * over the database. The CLI runs them in its own process, or, when a hub holds
 * the embedded database, sends them to that hub's admin socket, which runs the
 * very same function (src/hub/admin-socket.ts). Inputs arrive as JSON and are
 * validated by each operation.
 */
export interface OperationContext {
  readonly database: Database;
  readonly db: DataSource;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Built on first use: database maintenance needs no keys. */
  services(): Promise<HubServices>;
}

export type Operation = (ctx: OperationContext, input: unknown) => Promise<unknown>;

export type OperationErrorCode = 'UNKNOWN_OPERATION' | 'INVALID_INPUT';
export class OperationError extends WildintelError<OperationErrorCode> {}

const registry = new Map<string, Operation>();

export function registerOperation(name: string, operation: Operation): void {
  if (registry.has(name)) throw new Error(`operation ${name} is registered twice`);
  registry.set(name, operation);
}

export function runOperation(ctx: OperationContext, name: string, input: unknown): Promise<unknown> {
  const operation = registry.get(name);
  if (operation === undefined) {
    return Promise.reject(new OperationError('UNKNOWN_OPERATION', `no operator action named ${name}`));
  }
  return operation(ctx, input);
}

registerOperation('db.migrate', async (ctx) => ({ applied: await ctx.database.migrate() }));
registerOperation('db.status', async (ctx) => {
  const rows: Array<{ name: string }> = await ctx.db.query(`SELECT name FROM migrations ORDER BY id`);
  return { kind: ctx.database.kind, ready: await ctx.database.isReady(), migrations: rows.map((r) => r.name) };
});

/** Operation inputs cross a process boundary as JSON: validated like any external input. */
function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new OperationError('INVALID_INPUT', `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

const enrollInput = z.object({ slug: z.string(), name: z.string(), certPem: z.string().max(64 * 1024) }).strict();
const revokeInput = z.object({ slug: z.string(), reason: z.string().optional(), serial: z.string().optional() }).strict();
const slugInput = z.object({ slug: z.string() }).strict();

registerOperation('member.enroll', async (ctx, input) => (await ctx.services()).members.enroll(parse(enrollInput, input)));
registerOperation('member.revoke', async (ctx, input) => (await ctx.services()).members.revoke(parse(revokeInput, input)));
registerOperation('member.list', async (ctx) => ({ members: await (await ctx.services()).members.list() }));
registerOperation('member.get', async (ctx, input) => ({ member: (await (await ctx.services()).members.get(parse(slugInput, input).slug)) ?? null }));
registerOperation('log.checkpoint', async (ctx) => {
  const { log } = await ctx.services();
  return { ...(await log.latestCheckpoint(ctx.db)), verifierKey: log.verifierKey };
});

const KEY_TEXT = z.string().max(16 * 1024);
const agencyInput = z.object({ slug: z.string(), name: z.string(), encryptionKey: KEY_TEXT.optional(), signingKey: KEY_TEXT.optional() }).strict();
const agencyKeyInput = z.object({ slug: z.string(), encryptionKey: KEY_TEXT, signingKey: KEY_TEXT.optional() }).strict();
const issueInput = z
  .object({
    agency: z.string(),
    sub: z.string(),
    scope: z.string(),
    tlp: z.enum(['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED']),
    commodities: z.array(z.enum(['IVORY', 'RHINO_HORN', 'PANGOLIN', 'TIGER', 'LEOPARD', 'TURTLE_TORTOISE', 'BIRD', 'PRIMATE', 'REPTILE', 'OTHER'])).optional(),
    ttlSeconds: z.number().int(),
  })
  .strict();
const jtiInput = z.object({ jti: z.string().max(128) }).strict();

registerOperation('agency.add', async (ctx, input) => {
  const { slug, name, encryptionKey, signingKey } = parse(agencyInput, input);
  const services = await ctx.services();
  await services.tokens.addAgency(slug, name);
  if (encryptionKey === undefined) return { slug };
  return { slug, keys: keyRegistrationView(await services.disclosures.registerAgencyKeys(slug, encryptionKey, signingKey)) };
});
const competenceInput = z.object({ slug: z.string(), commodities: z.array(z.string().max(64)).max(200), jurisdictions: z.array(z.string().max(64)).max(200) }).strict();
registerOperation('agency.competence', async (ctx, input) => {
  const { slug, commodities, jurisdictions } = parse(competenceInput, input);
  return (await ctx.services()).referrals.setCompetence(slug, { commodities, jurisdictions });
});
registerOperation('agency.key', async (ctx, input) => {
  const { slug, encryptionKey, signingKey } = parse(agencyKeyInput, input);
  return { slug, keys: keyRegistrationView(await (await ctx.services()).disclosures.registerAgencyKeys(slug, encryptionKey, signingKey)) };
});

function keyRegistrationView(r: AgencyKeyRegistration): Record<string, unknown> {
  return { encryptionKid: r.keys.keys[0].kid, signingKid: r.keys.keys[1].kid, keysSha256: r.keysSha256, leafIndex: r.leafIndex };
}
registerOperation('warninglist.publish', async (ctx, input) => (await ctx.services()).warninglists.publish(input));
registerOperation('warninglist.list', async (ctx) => ({ lists: await (await ctx.services()).warninglists.inEffect() }));
const indicatorInput = z.object({ indicatorId: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be an indicator id') }).strict();
registerOperation('quarantine.list', async (ctx) => ({ quarantines: await (await ctx.services()).quarantine.list() }));
registerOperation('quarantine.release', async (ctx, input) => (await ctx.services()).quarantine.release(parse(indicatorInput, input).indicatorId));
registerOperation('agency.list', async (ctx) => ({ agencies: await (await ctx.services()).tokens.listAgencies() }));
registerOperation('token.issue', async (ctx, input) => (await ctx.services()).tokens.issue(parse(issueInput, input)));
registerOperation('token.revoke', async (ctx, input) => (await ctx.services()).tokens.revoke(parse(jtiInput, input).jti));
registerOperation('token.list', async (ctx) => ({ tokens: await (await ctx.services()).tokens.list() }));

const sightingSharingInput = z.object({ member: z.string(), share: z.boolean() }).strict();
registerOperation('interop.sightings.set', async (ctx, input) => {
  const { member, share } = parse(sightingSharingInput, input);
  return setSightingSharing(ctx, member, share);
});
registerOperation('interop.sightings.list', async (ctx) => ({ members: await listSightingSharing(ctx.db) }));
