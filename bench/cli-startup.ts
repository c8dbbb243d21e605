/**
 * Start-up of the `wildintel` command (issue 26, item 18): wall and CPU time of plain commands
 * through bin/wildintel.js with its bundle warm, against `node -e 0` measured in the same run
 * (the floor: starting Node itself), so the ratio means the same on a loaded machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { CLI } from '../test/helpers/hub-process.js';
import { median, round } from './load.js';

export const CLI_STARTUP_SECTION_TITLE = 'CLI start-up: plain commands vs starting Node';

export interface StartupRow {
  command: string;
  wallMs: number;
  cpuMs: number;
  ratio: number;
}

const COMMANDS: ReadonlyArray<readonly string[]> = [['--version'], ['--help'], ['token', 'list', '--help'], ['hub', 'keys']];

/** Wall and CPU milliseconds of one run of node with these arguments. */
function timeOne(args: readonly string[], env: Record<string, string>): { wallMs: number; cpuMs: number } {
  const started = process.hrtime.bigint();
  const run = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...args], { env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr}`);
  const [user, system] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wallMs, cpuMs: (user! + system!) * 1000 };
}

export async function benchCliStartup(runs: number): Promise<{ floor: { wallMs: number; cpuMs: number }; rows: StartupRow[]; runs: number; load: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wildintel-bench-cli-'));
  const env = { DATA_DIR: path.join(dir, 'data'), CERTS_DIR: path.join(dir, 'certs') };
  try {
    timeOne([CLI, '--version'], env); // makes the bundle, as the first start after a change does
    const floor: Array<{ wallMs: number; cpuMs: number }> = [];
    const each = COMMANDS.map(() => [] as Array<{ wallMs: number; cpuMs: number }>);
    // Interleaved, so a change in the machine's load falls on the floor and the commands alike.
    for (let i = 0; i < runs; i++) {
      floor.push(timeOne(['-e', '0'], env));
      COMMANDS.forEach((c, k) => each[k]!.push(timeOne([CLI, ...c], env)));
    }
    const med = (xs: Array<{ wallMs: number; cpuMs: number }>): { wallMs: number; cpuMs: number } => ({ wallMs: Math.round(median(xs.map((x) => x.wallMs))), cpuMs: Math.round(median(xs.map((x) => x.cpuMs))) });
    const base = med(floor);
    const rows = COMMANDS.map((c, k) => {
      const m = med(each[k]!);
      return { command: `wildintel ${c.join(' ')}`, ...m, ratio: round(m.wallMs / base.wallMs, 1) };
    });
    return { floor: base, rows, runs, load: round(loadavg()[0]!, 1) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function cliStartupSection(r: Awaited<ReturnType<typeof benchCliStartup>>): string[] {
  return [
    `Median of ${r.runs} starts each, the bundle warm (a start after a source change bundles first: 1–2 s more), interleaved with \`node -e 0\`, load average ${r.load} during the run (on a busy machine wall time grows with the load; CPU time hardly does). Target: a plain command under 1 s.`,
    '',
    '| command | wall ms | CPU ms | wall vs `node -e 0` |',
    '|---|---|---|---|',
    `| \`node -e 0\` (floor) | ${r.floor.wallMs} | ${r.floor.cpuMs} | 1 |`,
    ...r.rows.map((x) => `| \`${x.command}\` | **${x.wallMs}** | ${x.cpuMs} | ${x.ratio} |`),
  ];
}
