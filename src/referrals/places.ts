/**
 * Places and jurisdictions: an ISO 3166-1 alpha-2 country (`CN`), an ISO 3166-2 subdivision
 * (`CN-YN`, the country part checked, the subdivision by form), or a free region code
 * (`region:golden-triangle`) for areas no ISO code names. A country covers its subdivisions; a
 * free region covers only itself.
 */
import { invalid } from './errors.js';

const COUNTRY = /^[A-Z]{2}$/;
const SUBDIVISION = /^([A-Z]{2})-[A-Z0-9]{1,3}$/;
const REGION = /^region:[a-z0-9][a-z0-9-]{1,40}$/;
/** ISO 3166-1 user-assigned codes: no country, whatever a data set means by them. */
const USER_ASSIGNED = /^(AA|Q[M-Z]|X[A-Z]|ZZ)$/;
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

function isCountry(code: string): boolean {
  if (!COUNTRY.test(code) || USER_ASSIGNED.test(code)) return false;
  // ICU names every assigned code and answers an unassigned one with the code itself.
  return regionNames.of(code) !== code;
}

/**
 * Checks a place or jurisdiction code.
 * @throws ReferralError `INVALID_REFERRAL` naming `field`
 */
export function assertPlace(code: unknown, field: string): string {
  if (typeof code !== 'string' || code.length > 48) throw invalid(field, 'must be an ISO 3166 code (CN, CN-YN) or a region code (region:<slug>)');
  if (REGION.test(code)) return code;
  const country = SUBDIVISION.exec(code)?.[1] ?? code;
  if ((COUNTRY.test(code) || SUBDIVISION.test(code)) && isCountry(country)) return code;
  throw invalid(field, `${JSON.stringify(code.slice(0, 48))} is not an ISO 3166 country or subdivision (CN, CN-YN) nor a region code (region:<slug>)`);
}

/** Whether an agency's jurisdiction covers a place: the same code, or a country and one of its subdivisions. */
export function jurisdictionCovers(jurisdiction: string, place: string): boolean {
  return place === jurisdiction || (COUNTRY.test(jurisdiction) && place.startsWith(`${jurisdiction}-`));
}
