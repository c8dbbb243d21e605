/**
 * Validation against the OASIS STIX 2.1 JSON schemas vendored under test/fixtures (see its
 * README): draft 2020-12, through ajv's 2020 validator with ajv-formats; `unicodeRegExp: false` because
 * their patterns use escapes (`\-`) that the `u` flag refuses. Test support only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const ROOT = path.resolve(import.meta.dirname, '../fixtures/stix2-json-schemas/schemas');
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas';

function loadAll(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  for (const dir of ['common', 'sdos', 'sros']) {
    for (const file of readdirSync(path.join(ROOT, dir))) ajv.addSchema(JSON.parse(readFileSync(path.join(ROOT, dir, file), 'utf8')) as object);
  }
  return ajv;
}

let ajv: Ajv2020 | undefined;
const SCHEMA_OF: Readonly<Record<string, string>> = {
  indicator: 'sdos/indicator.json',
  identity: 'sdos/identity.json',
  opinion: 'sdos/opinion.json',
  sighting: 'sros/sighting.json',
  'marking-definition': 'common/marking-definition.json',
  'extension-definition': 'common/extension-definition.json',
};

/** The validator of a STIX type's schema. */
export function stixValidator(type: string): ValidateFunction {
  ajv ??= loadAll();
  const schema = SCHEMA_OF[type];
  if (schema === undefined) throw new Error(`no vendored schema for ${type}`);
  return ajv.getSchema(`${BASE}/${schema}`)!;
}

/** Throws with ajv's errors unless `object` is valid against the schema of its type. */
export function assertValidStix(object: Record<string, unknown>): void {
  const validate = stixValidator(String(object['type']));
  if (!validate(object)) throw new Error(`${String(object['id'] ?? object['type'])} is not valid STIX 2.1: ${JSON.stringify(validate.errors, null, 1)}`);
}
