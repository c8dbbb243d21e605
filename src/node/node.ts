/**
 * The member node's composition root: settings → database → vault, anonymizer, outbox →
 * background loops (publisher, receipt audit, feed) → the platform API on TCP (API keys) and on
 * a Unix socket in DATA_DIR (mode 0600: the operator's CLI, trusted by file permissions).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import { nodeSocketPath, type Config } from '../config/index.js';
import { makePrivateDir, openDatabase, startStatisticsKeeper, type Database } from '../db/index.js';
import { isWildintelError, systemClock, systemRandom, type Clock, type Logger, type Random } from '../kernel/index.js';
import { nodeMigrations } from '../../migrations/node/index.js';
import { createAlarms } from './alarms.js';
import { createAnonymizer } from './anonymizer.js';
import { createImageHasher, type ImageHasher } from '../hashing/index.js';
import { NodeError } from './errors.js';
import { createFeedFollower, type FeedFollower } from './feed-follower.js';
import { FederationIndex } from './federation-index.js';
import { createNodeLogClient, fetchLogVerifierKey, postFloodReport } from './hub-client.js';
import { signMemberRequest } from '../provenance/index.js';
import { createHubWitness } from './hub-witness.js';
import { startLoop, type BackgroundLoop } from './loop.js';
import { createObservationService, type ObservationService } from './observation-service.js';
import { createNodeOutcomeRoutes, createOutcomeService, type OutcomeService } from './outcomes/index.js';
import { createNodeReferralRoutes, createNodeReferralService } from './referrals/index.js';
import { bearerToken, createPlatformApi } from './platform-api.js';
import { parseOpinionRequest, reportOpinion } from './opinion.js';
import { createPublisher, type Publisher } from './publisher.js';
import { auditNextReceipt } from './receipt-audit.js';
import { scanListing } from './scan.js';
import { createFloodWatch } from './flood-watch.js';
import { loadNodeSettings, type NodeSettings } from './settings.js';
import { readNodeStatus, type NodeStatus } from './status.js';
import { createNodeMetrics } from './metrics.js';
import { assertVaultKey, createVault, type Vault } from './vault.js';
import { runDeskRound, type DisclosureDeskDeps } from './disclosure-desk.js';
import { createModelSlot, retrainModelFile, scoreListing } from '../model/index.js';
import { approveRequest, declineRequest, listDisclosures } from './disclosure-decisions.js';
import { createNodeDisclosureRoutes } from './disclosure-routes.js';
import { computeListingPseudonym } from '../indicators/index.js';
import { createPublicReports } from '../reports/index.js';

export interface NodeDeps {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly random?: Random;
}

export interface RunningNode {
  /** Base URL of the platform API, e.g. http://127.0.0.1:4100 */
  readonly url: string;
  readonly member: string;
  readonly database: Database;
  readonly observations: ObservationService;
  readonly publisher: Publisher;
  readonly feed: FeedFollower;
  status(): Promise<NodeStatus>;
  /** Stops the loops and servers (a batch in flight finishes first) and closes the database. */
  stop(): Promise<void>;
}

/** The node's database, migrated: PGlite under DATA_DIR, or DATABASE_URL. */
export async function openNodeDatabase(config: Readonly<Config>): Promise<Database> {
  makePrivateDir(config.DATA_DIR);
  return openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, migrations: nodeMigrations }, { migrate: true });
}

/** What works without the hub: the vault, the anonymizer and the outbox (used by `wildintel node import` when no node runs). */
export async function createObservationIntake(
  settings: NodeSettings,
  database: Database,
  deps: { clock: Clock; random: Random; onQueued?: () => void },
): Promise<{ vault: Vault; observations: ObservationService; outcomes: OutcomeService; images: ImageHasher }> {
  const vault = createVault(settings.vaultKey, deps.random);
  await assertVaultKey(database.dataSource, vault);
  // One hasher for observations and scans: the decode bound holds across both.
  const images = createImageHasher({ maxPixels: settings.images.maxPixels, concurrency: settings.images.concurrentDecodes });
  const anonymizer = createAnonymizer({
    pseudonymKeys: settings.pseudonymKeys,
    defaultRegion: settings.defaultRegion,
    imageDir: settings.imageDir,
    hashImage: images.hash,
    minPdqQuality: settings.images.minPdqQuality,
  });
  const onQueued = deps.onQueued ? { onQueued: deps.onQueued } : {};
  return {
    vault,
    images,
    observations: createObservationService({ db: database.dataSource, anonymizer, vault, clock: deps.clock, ...onQueued }),
    outcomes: createOutcomeService({ db: database.dataSource, anonymizer, clock: deps.clock, random: deps.random, ...onQueued }),
  };
}

export async function startNode({ config, logger: parent, clock = systemClock, random = systemRandom }: NodeDeps): Promise<RunningNode> {
  const settings = await loadNodeSettings(config, random);
  // Every line names its service, so that logs of a whole federation can share one stream.
  const logger = parent.child({ service: `node:${settings.member}` });
  const database = await openNodeDatabase(config);
  const loops: BackgroundLoop[] = [];
  const servers: Server[] = [];
  try {
    const db = database.dataSource;
    const hub = { hubUrl: settings.hubUrl };
    const alarms = createAlarms(db, clock, logger);
    const logClient = createNodeLogClient(hub, () => clock.now().getTime());
    const witness = createHubWitness({ db, client: logClient, configuredKey: settings.logKey, fetchLogKey: () => fetchLogVerifierKey(hub), alarms, clock, logger });
    // The vault key is checked before anything runs: a wrong key file stops the node at start.
    let wakePublisher = (): void => undefined;
    const { observations, outcomes, images, vault } = await createObservationIntake(settings, database, { clock, random, onQueued: () => wakePublisher() });
    const index = await FederationIndex.load(db);
    const feed = createFeedFollower({ db, hub, audience: settings.audience, member: settings.member, signer: settings.signer, rootsDer: settings.rootsDer, client: logClient, witness, index, alarms, clock, random, logger });
    const track = (loop: BackgroundLoop): BackgroundLoop => (loops.push(loop), loop);
    const statistics = await startStatisticsKeeper(database, logger);
    track({ wake: () => undefined, stop: () => statistics.stop() });
    const auditLoop = track(startLoop('receipt audit', async () => auditUntilDone(() => auditNextReceipt({ db, client: logClient, witness, alarms, logger }), settings.feedIntervalMs), { logger, errorDelayMs: settings.feedIntervalMs }));
    track(startLoop('feed', async () => feedDelay(await feed.followOnce(), settings.feedIntervalMs), { logger, errorDelayMs: settings.feedIntervalMs }));
    const publisher = createPublisher({ db, hub, member: settings.member, signer: settings.signer, batchMax: settings.batchMax, batchDelayMs: settings.batchDelayMs, backoff: settings.backoff, clock, random, logger, onAccepted: () => auditLoop.wake() });
    const publishLoop = track(startLoop('publisher', () => publisher.step(), { logger, errorDelayMs: settings.backoff.baseMs }));
    wakePublisher = () => publishLoop.wake();
    const desk: DisclosureDeskDeps = { db, hub, audience: settings.audience, member: settings.member, signer: settings.signer, vault, alarms, clock, random, logger };
    track(startLoop('disclosures', async () => (await runDeskRound(desk), settings.feedIntervalMs), { logger, errorDelayMs: settings.feedIntervalMs }));
    const model = createModelSlot(settings.model.modelFile, (err) => logger.error({ error: errorSummary(err) }, 'the model file cannot be read: scans keep the model in use'));
    const reports = createPublicReports(
      {
        db,
        clock,
        random,
        // The vault's AEAD seals any value; the kind is not stored with a contact.
        seal: (aad, value) => vault.seal(aad, 'report-contact', { kind: 'listing', value }),
        hashPhoto: (bytes) => images.hash(bytes),
        minPdqQuality: settings.images.minPdqQuality,
        matchFederation: (query) => index.scan(db, query, clock.now()),
        listingKnown: async (listing) => (await db.query(`SELECT 1 FROM node_pseudonyms WHERE fingerprint = ANY($1)`, [settings.pseudonymKeys.map((k) => computeListingPseudonym(listing, k))])).length > 0,
        publish: (list) => observations.submit(list),
        // The review queue ranks by the same installed model the scans use (none installed: no model part).
        modelScore: async (description) => {
          const installed = model.current();
          if (installed === undefined) return undefined;
          const { score, topTerms } = scoreListing(installed, description);
          return { score, terms: topTerms };
        },
      },
      { ...settings.reports, secret: settings.vaultKey },
    );
    track(startLoop('report retention', async () => (await reports.purge(), 3_600_000), { logger, errorDelayMs: 3_600_000 }));
    const status = async (): Promise<NodeStatus> => ({ ...(await readNodeStatus(db, { feedHalted: feed.halted })), reports: await reports.numbers() });
    const metrics = createNodeMetrics({ db, images, clock });
    reports.registerMetrics(metrics);
    const disclosureRoutes = (operator: boolean) =>
      createNodeDisclosureRoutes({ list: (filter) => listDisclosures(db, filter), approve: (id, input) => approveRequest(desk, id, input), decline: (id, input) => declineRequest(desk, id, input), operator });
    const memberRequest = (): Promise<string> => signMemberRequest({ keyPem: settings.signer.keyPem, chainPem: settings.signer.chainPem, member: settings.member, audience: settings.audience, now: clock.now(), jti: random.uuid() });
    // The first retrain is one interval after start, not at start: a restart does not retrain.
    let started = false;
    const retrain = async (): Promise<number> => (started ? retrainStep(settings.model, clock, logger) : ((started = true), settings.model.retrainMs));
    if (settings.model.retrainMs > 0) track(startLoop('model retrain', retrain, { logger, errorDelayMs: settings.model.retrainMs }));
    const referrals = createNodeReferralService({ hub, member: settings.member, signer: settings.signer, random, memberToken: memberRequest });
    const floods = createFloodWatch({ index, alarms, logger, now: () => clock.now().getTime(), report: async (r) => postFloodReport(hub, await memberRequest(), r) });
    const api = (authenticate: (key: string | undefined) => string | undefined, operator = false): Express =>
      createPlatformApi({
        service: observations,
        scan: async (request) => {
          const result = await scanListing(db, index, request, { imageDir: settings.imageDir, clock, hashDihedral: images.hashDihedral, model });
          await floods.observe(request.text, result);
          return result;
        },
        status,
        opinion: (body) => reportOpinion({ hub, audience: settings.audience, member: settings.member, signer: settings.signer, clock, random }, parseOpinionRequest(body)),
        logger,
        maxBodyBytes: settings.maxBodyBytes,
        authenticate: (req) => authenticate(bearerToken(req)),
        metrics,
        routers: [disclosureRoutes(operator), createNodeOutcomeRoutes(outcomes, settings.maxBodyBytes), reports.adminRoutes(operator), createNodeReferralRoutes(referrals, settings.maxBodyBytes)],
        publicRouters: [reports.publicRoutes],
      });
    if (settings.apiKeys.size === 0) logger.warn('no platform API keys yet: make one with `wildintel node api-key new NAME` (the local socket works meanwhile)');
    const tcp = await listen(createServer(api((key) => (key === undefined ? undefined : settings.apiKeys.identify(key)))), { port: settings.port, host: settings.host });
    servers.push(tcp);
    servers.push(await listenOnSocket(createServer(api(() => 'local-operator', true)), nodeSocketPath(config.DATA_DIR)));
    const url = `http://${hostOf(tcp)}`;
    logger.info({ url, member: settings.member, hub: settings.hubUrl, database: database.kind }, 'member node listening');
    let stopping: Promise<void> | undefined;
    return {
      url,
      member: settings.member,
      database,
      observations,
      publisher,
      feed,
      status,
      stop: () => (stopping ??= shutdown(loops, servers, database, logger, config.SHUTDOWN_TIMEOUT_MS)),
    };
  } catch (err) {
    await shutdown(loops, servers, database, logger, 0);
    throw err;
  }
}

/**
 * One scheduled retrain (NODE_MODEL_RETRAIN_HOURS): a model that evaluates worse than the one in
 * use is not installed, which is logged, not an error. Training runs on this thread for a few
 * seconds per ten thousand listings; the schedule is hours.
 */
async function retrainStep(model: NodeSettings['model'], clock: Clock, logger: Logger): Promise<number> {
  try {
    const r = retrainModelFile({ labelsFile: model.labelsFile, modelFile: model.modelFile, now: clock.now(), seed: 1 });
    logger.info({ evaluation: r.candidate.evaluation.model, previous: r.previous?.evaluation.model }, 'listing model retrained and installed');
  } catch (err) {
    if (!isWildintelError(err)) throw err;
    logger.warn({ code: err.code, details: err.details }, `listing model not retrained: ${err.message}`);
  }
  return model.retrainMs;
}

function errorSummary(err: unknown): { code?: string; message: string } {
  return isWildintelError(err) ? { code: err.code, message: err.message } : { message: err instanceof Error ? err.message : String(err) };
}

async function auditUntilDone(next: () => Promise<'audited' | 'none' | 'unavailable'>, retryMs: number): Promise<number | undefined> {
  for (;;) {
    const result = await next();
    if (result === 'none') return undefined;
    if (result === 'unavailable') return retryMs;
  }
}

function feedDelay(result: 'caught-up' | 'more' | 'halted', intervalMs: number): number | undefined {
  if (result === 'more') return 0;
  return result === 'caught-up' ? intervalMs : undefined;
}

/** Stops accepting, lets in-flight requests and a batch in flight finish (up to `graceMs`), then closes the database. */
async function shutdown(loops: readonly BackgroundLoop[], servers: readonly Server[], database: Database, logger: Logger, graceMs: number): Promise<void> {
  const force = setTimeout(() => servers.forEach((s) => s.closeAllConnections()), graceMs);
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    ),
  );
  clearTimeout(force);
  await Promise.all(loops.map((l) => l.stop()));
  await database.close();
  logger.info('member node stopped');
}

function listen(server: Server, at: { port: number; host: string }): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

async function listenOnSocket(server: Server, socketPath: string): Promise<Server> {
  if (existsSync(socketPath)) {
    // Left by a killed node, or held by a live one sharing DATA_DIR (possible with a Postgres server).
    if (await answers(socketPath)) throw new NodeError('NODE_MISCONFIGURED', `another member node is running with DATA_DIR ${path.dirname(socketPath)}: give each node its own`);
    rmSync(socketPath);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  return server;
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function hostOf(server: Server): string {
  const address = server.address() as AddressInfo;
  return `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}
