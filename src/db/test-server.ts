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
 * `skip` for the heavy suites that use no database (PDQ against the reference vectors, index
 * equivalence with brute force): CI runs the suite once per database, these need to run once.
 */
export function onlyOnceAcrossDatabases(): string | false {
  return testServerUrl() === undefined ? false : 'uses no database: runs in the embedded-database pass of the suite';
}
