import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { isWildintelError, systemClock } from '../kernel/index.js';
import type { CliContext } from './context.js';
import { CliError } from './files.js';
import { operate } from './operator-client.js';

interface ExportOptions {
  out: string;
  token: string;
  hub?: string;
}

/** A token given inline or as a file holding it. */
function tokenOf(value: string): string {
  return existsSync(value) ? readFileSync(value, 'utf8').trim() : value.trim();
}

function createProgress(label: string): { update: (done: number, total: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} {unit}`, stream: process.stderr }, Presets.shades_classic);
  let started = false;
  return {
    update: (done, total) => {
      if (!started) bar.start(total, 0, { unit: label === 'exporting' ? 'attributes' : 'events' });
      started = true;
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

/** From the database (a Postgres server, or the embedded one when no hub holds it), under the token's entitlement. */
async function exportFromDatabase(cli: CliContext, opts: ExportOptions): Promise<string> {
  const config = cli.config();
  const logger = cli.logger();
  const [{ openDatabase }, { createHubServices }, interop] = await Promise.all([import('../db/index.js'), import('../hub/index.js'), import('../interop/index.js')]);
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR }).catch((err: unknown) => {
    if (isWildintelError(err) && err.code === 'DATABASE_IN_USE') throw new CliError('INVALID_ARGUMENT', `${err.message}; or export through it: --hub ${config.HUB_ORIGIN}`);
    throw err;
  });
  try {
    const services = await createHubServices({ config, database, logger, clock: systemClock });
    const deps = {
      db: database.dataSource,
      clock: systemClock,
      logger,
      origin: services.log.origin,
      authenticate: (authorization: string | undefined) => services.tokens.verifier.verify((authorization ?? '').replace(/^Bearer /, '')),
      rateLimiter: services.exportRateLimiter,
      access: services.access,
    };
    const caller = await interop.admitFeedRequest(deps, `Bearer ${tokenOf(opts.token)}`);
    interop.requireFeedScope(caller);
    const progress = createProgress('exporting');
    const result = await interop
      .exportMispFeed(database.dataSource, caller.visibility, opts.out, {
        onStart: (plan) => interop.recordFeedAccess(deps, caller, { operation: 'misp-export', fields: 'export', parameters: { out: path.resolve(opts.out) }, returned: plan.attributes, ok: true }),
        onProgress: progress.update,
      })
      .finally(progress.stop);
    await services.access.flush();
    return `MISP feed written to ${opts.out}: ${result.events} events, ${result.attributes} attributes, ${result.hashes} hashes${result.removed > 0 ? `; ${result.removed} events of an earlier export removed` : ''}`;
  } finally {
    await database.close();
  }
}

const EVENT_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_RETRY_WAIT_S = 120;

/** GET from the hub's feed, waiting out its rate limit (429 with Retry-After) rather than failing. */
async function getFromHub(base: string, file: string, token: string): Promise<Response> {
  for (;;) {
    const res = await fetch(`${base}/${file}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 429) {
      const wait = Math.min(Number(res.headers.get('retry-after') ?? '1') || 1, MAX_RETRY_WAIT_S);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      continue;
    }
    if (res.ok && res.body !== null) return res;
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new CliError('INVALID_ARGUMENT', `the hub refused ${file}: ${body.error?.message ?? res.statusText} [${body.error?.code ?? res.status}]`);
  }
}

async function download(base: string, file: string, token: string, target: string): Promise<void> {
  const res = await getFromHub(base, file, token);
  await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), createWriteStream(`${target}.tmp`, { mode: 0o644 }));
  await rename(`${target}.tmp`, target);
}

/** Through a running hub's /misp/ feed: its gate, rate limit and access audit apply to every file. */
async function exportViaHub(opts: ExportOptions & { hub: string }): Promise<string> {
  const base = `${opts.hub.replace(/\/$/, '')}/misp`;
  const token = tokenOf(opts.token);
  const manifestText = await (await getFromHub(base, 'manifest.json', token)).text();
  const manifest = JSON.parse(manifestText) as Record<string, unknown>;
  // Names come from the hub: only event uuids become file names, nothing that could leave the directory.
  const events = Object.keys(manifest);
  if (!events.every((uuid) => EVENT_UUID.test(uuid))) throw new CliError('INVALID_ARGUMENT', 'the hub sent a manifest whose keys are not event uuids');
  await mkdir(opts.out, { recursive: true });
  const progress = createProgress('downloading');
  try {
    for (const [i, uuid] of events.entries()) {
      await download(base, `${uuid}.json`, token, path.join(opts.out, `${uuid}.json`));
      progress.update(i + 1, events.length);
    }
  } finally {
    progress.stop();
  }
  await download(base, 'hashes.csv', token, path.join(opts.out, 'hashes.csv'));
  await writeFile(path.join(opts.out, 'manifest.json.tmp'), manifestText, { mode: 0o644 });
  await rename(path.join(opts.out, 'manifest.json.tmp'), path.join(opts.out, 'manifest.json'));
  const keep = new Set(events.map((e) => `${e}.json`));
  const stale = (await readdir(opts.out)).filter((f) => /^[0-9a-f-]{36}\.json$/.test(f) && !keep.has(f));
  await Promise.all(stale.map((f) => rm(path.join(opts.out, f), { force: true })));
  return `MISP feed of ${opts.hub} written to ${opts.out}: ${events.length} events`;
}

export function registerInteropCommands(program: Command, cli: CliContext): void {
  const exp = program.command('export').description("feeds for agencies' own tools (docs/interop.md)");
  exp
    .command('misp')
    .description('write the MISP feed a token may read (manifest.json, an event per member, day and TLP, hashes.csv) to a directory MISP can add as a feed')
    .requiredOption('--out <dir>', 'the directory (created if missing; event files of an earlier export that this one lacks are removed)')
    .requiredOption('--token <jwt>', 'an agency token with taxii:read, or a file holding it: the export holds what the token may see')
    .option('--hub <url>', 'export through a running hub over HTTP (needed while a hub holds the embedded database)')
    .action(async (opts: ExportOptions) => {
      cli.print(opts.hub === undefined ? await exportFromDatabase(cli, opts) : await exportViaHub({ ...opts, hub: opts.hub }));
    });

  const interop = program.command('interop').description('settings of the machine feeds (TAXII, MISP)');
  interop
    .command('sightings [member] [choice]')
    .description('whether a member lets its sightings travel as STIX sightings (share|withhold, from its next batch on; withheld by default); lists the members without arguments')
    .action(async (member: string | undefined, choice: string | undefined) => {
      if (member === undefined) {
        const { members } = (await operate(cli.config(), cli.logger(), 'interop.sightings.list')) as { members: Array<{ member: string; share: boolean; fromLeaf: number }> };
        cli.print(members.length === 0 ? 'no members' : members.map((m) => `${m.member}  ${m.share ? `share (from log index ${m.fromLeaf})` : 'withhold'}`).join('\n'));
        return;
      }
      if (choice !== 'share' && choice !== 'withhold') throw new CliError('INVALID_ARGUMENT', 'say share or withhold after the member');
      const set = (await operate(cli.config(), cli.logger(), 'interop.sightings.set', { member, share: choice === 'share' })) as { fromLeaf: number };
      cli.print(`${member}: sightings ${choice === 'share' ? 'shared' : 'withheld'} from log index ${set.fromLeaf} on`);
    });
}
