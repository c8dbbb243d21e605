/**
 * What each agency covers: commodities and jurisdictions (src/referrals/places.ts). An agency
 * registers its own (GraphQL setReferralCompetence, referrals:act) or the hub operator does
 * (wildintel agency competence); the set given replaces the one before.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { COMMODITIES, type Commodity } from '../indicators/index.js';
import { currentAgencyKeys, type AgencyKeyRegistration } from '../disclosure/index.js';
import { invalid, ReferralError } from './errors.js';
import { assertPlace, jurisdictionCovers } from './places.js';

type Queryable = Pick<DataSource | EntityManager, 'query'>;

export interface Competence {
  readonly agency: string;
  readonly commodities: Commodity[];
  readonly jurisdictions: string[];
}

const MAX_ENTRIES = 200;

export function parseCompetence(input: { commodities: readonly string[]; jurisdictions: readonly string[] }): { commodities: Commodity[]; jurisdictions: string[] } {
  if (input.commodities.length > MAX_ENTRIES || input.jurisdictions.length > MAX_ENTRIES) throw invalid('competence', `holds at most ${MAX_ENTRIES} commodities and ${MAX_ENTRIES} jurisdictions`);
  const commodities = input.commodities.map((c, i) => {
    if (!(COMMODITIES as readonly string[]).includes(c)) throw invalid(`commodities.${i}`, 'must be a commodity of the indicator model');
    return c as Commodity;
  });
  const jurisdictions = input.jurisdictions.map((j, i) => assertPlace(j, `jurisdictions.${i}`));
  return { commodities: [...new Set(commodities)].sort(), jurisdictions: [...new Set(jurisdictions)].sort() };
}

export async function setCompetence(db: DataSource, agency: string, input: { commodities: readonly string[]; jurisdictions: readonly string[] }): Promise<Competence> {
  const { commodities, jurisdictions } = parseCompetence(input);
  await db.transaction(async (tx) => {
    const known: unknown[] = await tx.query(`SELECT 1 FROM agencies WHERE slug = $1`, [agency]);
    if (known.length === 0) throw new ReferralError('NOT_FOUND', `no agency ${agency}: add it first (wildintel agency add)`, { details: { agency } });
    await tx.query(`DELETE FROM referral_competence WHERE agency = $1`, [agency]);
    const rows = [...commodities.map((v) => ['commodity', v]), ...jurisdictions.map((v) => ['jurisdiction', v])];
    if (rows.length > 0) {
      await tx.query(`INSERT INTO referral_competence (agency, kind, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t(k, v)`, [agency, rows.map((r) => r[0]), rows.map((r) => r[1])]);
    }
  });
  return { agency, commodities, jurisdictions };
}

export async function competenceOf(db: Queryable, agency: string): Promise<Competence> {
  const rows: Array<{ kind: string; value: string }> = await db.query(`SELECT kind, value FROM referral_competence WHERE agency = $1 ORDER BY kind, value`, [agency]);
  return { agency, commodities: rows.filter((r) => r.kind === 'commodity').map((r) => r.value as Commodity), jurisdictions: rows.filter((r) => r.kind === 'jurisdiction').map((r) => r.value) };
}

/** Agencies whose competence covers the commodity and the place (the commodity, and a jurisdiction covering the place). */
export async function competentAgencies(db: Queryable, commodity: string, place: string): Promise<string[]> {
  const rows: Array<{ agency: string; value: string }> = await db.query(
    `SELECT j.agency, j.value FROM referral_competence j
       JOIN referral_competence c ON c.agency = j.agency AND c.kind = 'commodity' AND c.value = $1
      WHERE j.kind = 'jurisdiction' ORDER BY j.agency`,
    [commodity],
  );
  return [...new Set(rows.filter((r) => jurisdictionCovers(r.value, place)).map((r) => r.agency))];
}

export interface ReceivingAgencyView {
  readonly agency: string;
  readonly keys: AgencyKeyRegistration | undefined;
}

/**
 * The agencies a referral goes to: the one named (which must exist), or every agency whose
 * competence covers commodity and place, each with the key set in force.
 * @throws ReferralError `NO_COMPETENT_AGENCY`
 */
export async function receivingAgencies(db: Queryable, target: { commodity: string; place: string; agency?: string | null | undefined }): Promise<ReceivingAgencyView[]> {
  assertPlace(target.place, 'place');
  if (!(COMMODITIES as readonly string[]).includes(target.commodity)) throw invalid('commodity', 'must be a commodity of the indicator model');
  let slugs: string[];
  if (target.agency !== undefined && target.agency !== null) {
    const known: unknown[] = await db.query(`SELECT 1 FROM agencies WHERE slug = $1`, [target.agency]);
    if (known.length === 0) throw new ReferralError('NO_COMPETENT_AGENCY', `no agency ${target.agency.slice(0, 64)}`, { details: { field: 'agency' } });
    slugs = [target.agency];
  } else {
    slugs = await competentAgencies(db, target.commodity, target.place);
    if (slugs.length === 0) throw new ReferralError('NO_COMPETENT_AGENCY', `no agency has registered competence for ${target.commodity} in ${target.place}: name one (--agency)`, { details: { field: 'place' } });
  }
  return Promise.all(slugs.map(async (agency) => ({ agency, keys: await currentAgencyKeys(db, agency) })));
}
