/**
 * Which database the test suite runs against, without loading any database code (pure suites
 * import this). Test support only.
 */

/** The Postgres server the suite runs against (TEST_DATABASE_URL or DATABASE_URL); undefined for PGlite. */
export function testServerUrl(): string | undefined {
  const url = process.env['TEST_DATABASE_URL'] || process.env['DATABASE_URL'];
  return url === undefined || url === '' ? undefined : url;
}

/**
 * `skip` for the tests that drive `wildintel` as child processes (CLI arguments and exit codes,
 * signals, restarts): each child costs a second or more of start-up, so each such test runs in one
 * pass of the suite. Those whose subject is the embedded database (first start, the admin socket,
 * durability after SIGKILL, the demo) run in the embedded pass, what `npm start` uses; those whose
 * database is incidental (the publish and audit clients, PKI files checked with openssl) run in
 * the Postgres pass, where a hub starts faster. The failure suite (`npm run test:faults`) drives
 * hub processes on Postgres through SIGKILL, restarts and outages. Heavy suites that use no
 * database (PDQ against the reference vectors, index equivalence) run once, in the embedded pass.
 */
export function onlyInPass(pass: 'embedded' | 'server'): string | false {
  const server = testServerUrl() !== undefined;
  if (pass === 'server' && !server) return 'runs once, in the Postgres pass of the suite (TEST_DATABASE_URL=postgres://… npm test)';
  if (pass === 'embedded' && server) return 'runs once, in the embedded-database pass of the suite (npm test)';
  return false;
}
