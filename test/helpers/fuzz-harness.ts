/**
 * What every fuzz test asserts about every answer, and about the hub at the end: no 5xx, no
 * INTERNAL_SERVER_ERROR anywhere in a body, nothing stored by a refused request (the tables a
 * request could write, and the log less its access digests), the hub still healthy. Failures are
 * collected with the input that caused them, so one run reports them all with its seed.
 */
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';

export interface FuzzBudget {
  readonly cases: number;
  readonly ms: number;
}

/** FUZZ_CASES and FUZZ_BUDGET_MS scale a run; the defaults keep a test file under about 30 s. */
export function fuzzBudget(defaults: FuzzBudget): FuzzBudget {
  const cases = Number(process.env['FUZZ_CASES'] ?? defaults.cases);
  const ms = Number(process.env['FUZZ_BUDGET_MS'] ?? defaults.ms);
  return { cases, ms };
}

export class FuzzFindings {
  readonly failures: string[] = [];
  tried = 0;
  readonly #started = Date.now();

  constructor(readonly seed: number, readonly budget: FuzzBudget) {}

  /** Whether another case fits the budget. */
  more(): boolean {
    return this.tried < this.budget.cases && Date.now() - this.#started < this.budget.ms;
  }

  /** Checks one HTTP answer (status and body text) to `input`. */
  checkHttp(input: string, status: number, body: string): void {
    this.tried++;
    if (status >= 500) this.fail(input, `HTTP ${status}: ${body.slice(0, 300)}`);
    else if (body.includes('INTERNAL_SERVER_ERROR')) this.fail(input, `INTERNAL_SERVER_ERROR in a ${status}: ${body.slice(0, 300)}`);
  }

  fail(input: string, what: string): void {
    if (this.failures.length < 20) this.failures.push(`${what}\n    input: ${input.slice(0, 400)}`);
  }

  summary(): string {
    return `${this.tried} inputs tried in ${Math.round((Date.now() - this.#started) / 100) / 10} s, seed ${this.seed} (FUZZ_SEED=${this.seed} to reproduce)`;
  }

  assertNone(): void {
    assert.deepEqual(this.failures, [], `${this.failures.length} findings; ${this.summary()}`);
  }
}

/** Rows a refused request must not have added: what batches, opinions and enrolments write, and the log less access digests (written hourly whatever the requests). */
export async function storedCounts(db: Pick<DataSource, 'query'>): Promise<Record<string, number>> {
  const [row] = (await db.query(`
    SELECT (SELECT count(*) FROM batches)::int AS batches, (SELECT count(*) FROM indicators)::int AS indicators,
           (SELECT count(*) FROM sightings)::int AS sightings, (SELECT count(*) FROM opinions)::int AS opinions,
           (SELECT count(*) FROM members)::int AS members, (SELECT count(*) FROM outcomes)::int AS outcomes, (SELECT count(*) FROM member_certificates)::int AS certificates,
           (SELECT count(*) FROM tlog_entries WHERE kind <> 'access')::int AS log_entries`)) as [Record<string, number>];
  return row;
}

/** The hub answers its health checks and an ordinary query after the run. */
export async function assertHealthy(url: string): Promise<void> {
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  assert.equal((await fetch(`${url}/readyz`)).status, 200);
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ hubInfo { version } }' }) });
  assert.equal(res.status, 200);
}
