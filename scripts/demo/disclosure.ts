/**
 * The demo's disclosure example: the demo agency's keys made and registered as an agency would
 * (`wildintel disclosure keygen`, `wildintel agency key`), a token with disclosure:request, and the
 * commands that take a request from customs through each member's operator back to customs, to an
 * evidence package and to the auditor — printed ready to paste.
 */
import path from 'node:path';
import { cli } from './processes.js';

export interface DisclosureSetup {
  readonly token: string;
  readonly signingKey: string;
  readonly encryptionKey: string;
  readonly agencyKeys: string;
}

export async function prepareDisclosure(hubEnv: Record<string, string>, dir: string, agency: string): Promise<DisclosureSetup> {
  const keys = path.join(dir, 'agency-keys');
  await cli(['disclosure', 'keygen', '--agency', agency, '--out', keys], {});
  const agencyKeys = path.join(keys, `${agency}-disclosure-keys.json`);
  await cli(['agency', 'key', agency, '--encryption-key', agencyKeys], hubEnv);
  const token = await cli(['token', 'issue', '--agency', agency, '--sub', 'officer-1', '--scope', 'indicators:read sellers:read disclosure:request', '--tlp', 'RED', '--ttl', '8h'], hubEnv);
  return { token, agencyKeys, signingKey: path.join(keys, `${agency}-signing-key.pem`), encryptionKey: path.join(keys, `${agency}-encryption-key.pem`) };
}

/** The argv of the request the example files (also what --json-out hands to scripts). */
export function requestArgs(hubUrl: string, setup: DisclosureSetup, fingerprint: string): string[] {
  return ['disclosure', 'request', '--hub', hubUrl, '--token', setup.token, '--signing-key', setup.signingKey, '--agency-keys', setup.agencyKeys, '--fingerprint', fingerprint, '--case', 'DEMO-CASE-1', '--officer', 'Inspector Demo', '--reference', 'DEMO-REF-2026-1', '--legal-basis', 'Demo: Customs Law art. 12, investigation of ivory smuggling'];
}

const quote = (arg: string): string => (/^[A-Za-z0-9._:/=+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export function disclosureExample(f: { hubUrl: string; setup: DisclosureSetup; fingerprint: string; members: Array<{ slug: string; dataDir: string }>; rootCert: string; logKey: string; auditorToken: string; dir: string; rel: (p: string) => string }): string[] {
  const [first, second] = f.members;
  const agency = ['--hub', f.hubUrl, '--token', '$DTOKEN'];
  const lines = [
    `\nlawful re-identification (docs/disclosure.md): customs asks who is behind seller ${f.fingerprint};`,
    `the hub routes the request to ${f.members.map((m) => m.slug).join(' and ')}, whose operators decide; only customs can read the answer:`,
    `export DTOKEN=${f.setup.token}`,
    `npx wildintel ${requestArgs(f.hubUrl, f.setup, f.fingerprint).map((a) => (a === f.setup.token ? '$DTOKEN' : quote(a))).join(' ').replace(/(--(?:signing-key|agency-keys) )(\S+)/g, (_m, flag: string, file: string) => `${flag}${f.rel(file)}`)}`,
    `DATA_DIR=${f.rel(first!.dataDir)} npx wildintel node requests                       # ${first!.slug}'s operator sees it pending`,
    `DATA_DIR=${f.rel(first!.dataDir)} npx wildintel node requests approve <request id> --reason 'legal review done'`,
  ];
  if (second !== undefined) lines.push(`DATA_DIR=${f.rel(second.dataDir)} npx wildintel node requests decline <request id> --reason OUT_OF_JURISDICTION --note 'not our users'`);
  lines.push(
    `npx wildintel disclosure open <request id> ${agency.join(' ')} --key ${f.rel(f.setup.encryptionKey)}`,
    `npx wildintel evidence export --case DEMO-CASE-1 ${agency.join(' ')} --key ${f.rel(f.setup.encryptionKey)} --out ${f.rel(path.join(f.dir, 'evidence.json'))} --summary ${f.rel(path.join(f.dir, 'evidence.md'))}`,
    `npx wildintel evidence verify ${f.rel(path.join(f.dir, 'evidence.json'))} --root ${f.rel(f.rootCert)} --log-key '${f.logKey}'`,
    `npx wildintel audit disclosures --hub ${f.hubUrl} --root ${f.rel(f.rootCert)} --log-key '${f.logKey}' --token ${f.auditorToken}`,
  );
  return lines;
}
