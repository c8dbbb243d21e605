import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { can, gql, type Me } from '../api.js';
import { toCsv } from '../csv.js';
import { languageTag, useI18n, type MessageKey } from '../i18n.js';
import { Card, DateInput, download, ErrorBox, href, Loading, useAsync } from '../ui.js';
import type { Series } from './chart.js';

interface StatsRow {
  bucketStart: string;
  key: string;
  newIndicators: number;
  sightings: number;
}

interface Rising {
  current: number;
  previous: number;
  change: number;
  indicator: { id: string; value: string; commodities: string[]; members: string[] };
}

const STATS = `query Trends($from: DateTime!, $to: DateTime!, $bucket: StatsBucket) {
  byCommodity: stats(from: $from, to: $to, bucket: $bucket, groupBy: COMMODITY) { bucketStart key newIndicators sightings }
  byMember: stats(from: $from, to: $to, bucket: $bucket, groupBy: MEMBER) { bucketStart key newIndicators sightings }
  byType: stats(from: $from, to: $to, bucket: $bucket, groupBy: TYPE) { bucketStart key newIndicators sightings }
}`;
const REMOVALS = `query Removals($from: DateTime!, $to: DateTime!) { outcomeFigures(from: $from, to: $to) { removalsByWeek { week commodity removals } } }`;
const RISING = `query Rising($from: DateTime!, $to: DateTime!) { risingKeywords(from: $from, to: $to, first: 15) { current previous change indicator { id value commodities members } } }`;

const EMERGING = `query Emerging($window: Int!) { emergingCodeWords(window: $window, first: 15) { firstSeen members weeks { start sightings newMembers } indicator { id value commodities } } }`;

interface Emerging {
  firstSeen: string;
  members: number;
  weeks: Array<{ start: string; sightings: number; newMembers: number }>;
  indicator: { id: string; value: string; commodities: string[] };
}

const DAY = 86_400_000;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Every bucket start in [from, to): UTC days, or ISO weeks (Mondays). */
function buckets(from: number, to: number, bucket: 'DAY' | 'WEEK'): number[] {
  let at = from;
  if (bucket === 'WEEK') at -= ((new Date(from).getUTCDay() + 6) % 7) * DAY;
  const out: number[] = [];
  for (; at < to; at += bucket === 'DAY' ? DAY : 7 * DAY) out.push(at);
  return out;
}

/** Rows to one series per key over every bucket (missing buckets are zero). */
export function pivot(rows: readonly StatsRow[], xs: readonly number[], metric: 'sightings' | 'newIndicators'): Series[] {
  const keys = [...new Set(rows.map((r) => r.key))].sort();
  return keys.map((key) => {
    const byX = new Map(rows.filter((r) => r.key === key).map((r) => [Date.parse(r.bucketStart), r[metric]]));
    return { label: key, values: xs.map((x) => byX.get(x) ?? 0) };
  });
}

function ChartCard({ title, rows, xs, file, label }: { title: string; rows: StatsRow[]; xs: number[]; file: string; label(key: string): string }) {
  const { t, lang } = useI18n();
  const [metric, setMetric] = useState<'sightings' | 'newIndicators'>('sightings');
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let live = true;
    void import('./chart.js').then(({ drawChart }) => {
      if (!live || box.current === null) return;
      const locale = { tag: languageTag(lang), timeLabel: t('trends.date') };
      chart = drawChart(box.current, xs, pivot(rows, xs, metric).map((s) => ({ ...s, label: label(s.label) })), locale);
    });
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [rows, xs, metric, label, lang]);
  const csv = () => download(file, toCsv(['bucketStart', 'key', 'newIndicators', 'sightings'], rows.map((r) => [r.bucketStart, r.key, r.newIndicators, r.sightings])));
  return (
    <Card
      title={title}
      actions={
        <>
          <select aria-label={t('trends.metric')} value={metric} onChange={(ev) => setMetric((ev.target as HTMLSelectElement).value as typeof metric)}>
            <option value="sightings">{t('trends.sightingsMetric')}</option>
            <option value="newIndicators">{t('trends.newIndicators')}</option>
          </select>
          <button type="button" data-csv={file} onClick={csv}>
            {t('trends.csv')}
          </button>
        </>
      }
    >
      <div class="chart" ref={box} data-chart={file} data-rows={rows.length} />
    </Card>
  );
}

interface WeeklyRemovals {
  week: string;
  commodity: string;
  removals: number;
}

/** Removals (REMOVED, ACCOUNT_SUSPENDED) per week and commodity from outcomeFigures: always by week, whatever the form's bucket. */
function RemovalsCard({ rows, xs, file }: { rows: WeeklyRemovals[]; xs: number[]; file: string }) {
  const { t, e, lang } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let live = true;
    const asStats = rows.map((r) => ({ bucketStart: r.week, key: r.commodity, sightings: r.removals, newIndicators: 0 }));
    void import('./chart.js').then(({ drawChart }) => {
      if (!live || box.current === null) return;
      chart = drawChart(box.current, xs, pivot(asStats, xs, 'sightings').map((s) => ({ ...s, label: e(s.label) })), { tag: languageTag(lang), timeLabel: t('trends.date') });
    });
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [rows, xs, lang]);
  const csv = () => download(file, toCsv(['week', 'commodity', 'removals'], rows.map((r) => [r.week, r.commodity, r.removals])));
  return (
    <Card
      title={t('trends.removals')}
      actions={
        <button type="button" data-csv={file} onClick={csv}>
          {t('trends.csv')}
        </button>
      }
    >
      {rows.length === 0 ? <p class="muted">{t('app.none')}</p> : null}
      <div class="chart" ref={box} data-chart={file} data-rows={rows.length} aria-label={t('trends.removalsMetric')} />
    </Card>
  );
}

const EMERGING_WINDOWS = [4, 8, 12, 26] as const;

/**
 * Code words two or more members began to publish within the last weeks (emergingCodeWords): a
 * weekly chart of their sightings and a table. The window counts back from now, so it has its own
 * selector rather than the period form above.
 */
function EmergingCard({ token }: { token: string }) {
  const { t, e, lang } = useI18n();
  const [windowWeeks, setWindowWeeks] = useState<number>(4);
  const emerging = useAsync(() => gql<{ emergingCodeWords: Emerging[] }>(token, EMERGING, { window: windowWeeks }), [token, windowWeeks]);
  const rows = emerging.data?.emergingCodeWords ?? [];
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let live = true;
    const [first] = rows;
    if (first === undefined) return;
    const xs = first.weeks.map((w) => Date.parse(w.start));
    void import('./chart.js').then(({ drawChart }) => {
      if (!live || box.current === null) return;
      chart = drawChart(box.current, xs, rows.map((r) => ({ label: r.indicator.value, values: r.weeks.map((w) => w.sightings) })), { tag: languageTag(lang), timeLabel: t('trends.date') });
    });
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [rows, lang]);
  const file = `emerging_${windowWeeks}w.csv`;
  const csv = () => download(file, toCsv(['keyword', 'firstSeen', 'members', 'commodities', 'weekStart', 'sightings', 'newMembers'], rows.flatMap((r) => r.weeks.map((w) => [r.indicator.value, r.firstSeen, r.members, r.indicator.commodities.join(' '), w.start, w.sightings, w.newMembers]))));
  return (
    <Card
      title={t('trends.emerging')}
      actions={
        <>
          <select aria-label={t('trends.emergingWindow')} name="emergingWindow" value={String(windowWeeks)} onChange={(ev) => setWindowWeeks(Number((ev.target as HTMLSelectElement).value))}>
            {EMERGING_WINDOWS.map((w) => (
              <option value={String(w)}>{t('trends.lastWeeks', { n: w })}</option>
            ))}
          </select>
          <button type="button" data-csv={file} onClick={csv}>
            {t('trends.csv')}
          </button>
        </>
      }
    >
      <p class="muted">{t('trends.emergingNote')}</p>
      <ErrorBox error={emerging.error} />
      <Loading when={emerging.loading} />
      {rows.length === 0 && emerging.data ? (
        <p class="muted" data-emerging-none>
          {t('app.none')}
        </p>
      ) : null}
      {rows.length > 0 ? <div class="chart" ref={box} data-chart={file} data-rows={rows.length} /> : null}
      <table class="results" data-emerging>
        {rows.length > 0 ? (
          <thead>
            <tr>
              <th>{t('trends.keyword')}</th>
              <th>{t('field.commodities')}</th>
              <th class="num">{t('trends.members')}</th>
              <th>{t('trends.firstSeen')}</th>
            </tr>
          </thead>
        ) : null}
        <tbody>
          {rows.map((r) => (
            <tr>
              <td>
                <a href={href(`indicator/${r.indicator.id}`)}>{r.indicator.value}</a>
              </td>
              <td>{r.indicator.commodities.map(e).join(', ')}</td>
              <td class="num" data-members>
                {r.members}
              </td>
              <td>{r.firstSeen.slice(0, 10)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

export function TrendsView({ token, me }: { token: string; me: Me }) {
  const { t, e } = useI18n();
  const today = Date.parse(`${day(Date.now())}T00:00:00Z`);
  const [form, setForm] = useState({ from: day(today - 29 * DAY), to: day(today), bucket: 'DAY' as 'DAY' | 'WEEK' });
  const [shown, setShown] = useState(form);
  const from = Date.parse(`${shown.from}T00:00:00Z`);
  const to = Date.parse(`${shown.to}T00:00:00Z`) + DAY;
  const vars = { from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket: shown.bucket };
  const stats = useAsync(() => gql<{ byCommodity: StatsRow[]; byMember: StatsRow[]; byType: StatsRow[] }>(token, STATS, vars), [token, shown]);
  const rising = useAsync(() => gql<{ risingKeywords: Rising[] }>(token, RISING, vars), [token, shown], can(me, 'INDICATORS_READ'));
  const removals = useAsync(() => gql<{ outcomeFigures: { removalsByWeek: WeeklyRemovals[] } }>(token, REMOVALS, { from: vars.from, to: vars.to }), [token, shown]);
  const xs = useMemo(() => buckets(from, to, shown.bucket), [shown]);
  const weeks = useMemo(() => buckets(from, to, 'WEEK'), [shown]);
  const span = `${shown.from}_${shown.to}_${shown.bucket.toLowerCase()}`;
  const charts: Array<[MessageKey, keyof NonNullable<typeof stats.data>, (k: string) => string]> = [
    ['trends.byCommodity', 'byCommodity', e],
    ['trends.byMember', 'byMember', (k) => k],
    ['trends.byType', 'byType', e],
  ];
  const risingRows = rising.data?.risingKeywords ?? [];
  return (
    <>
      <Card title={t('trends.title')}>
        <form
          class="filters"
          onSubmit={(ev) => {
            ev.preventDefault();
            setShown(form);
          }}
        >
          <label>
            {t('field.from')}
            <DateInput name="from" value={form.from} onValue={(from) => setForm({ ...form, from })} />
          </label>
          <label>
            {t('field.to')}
            <DateInput name="to" value={form.to} onValue={(to) => setForm({ ...form, to })} />
          </label>
          <label>
            {t('trends.bucket')}
            <select name="bucket" value={form.bucket} onChange={(ev) => setForm({ ...form, bucket: (ev.target as HTMLSelectElement).value as 'DAY' | 'WEEK' })}>
              <option value="DAY">{t('trends.day')}</option>
              <option value="WEEK">{t('trends.week')}</option>
            </select>
          </label>
          <button type="submit">{t('trends.show')}</button>
        </form>
        <ErrorBox error={stats.error} />
        <Loading when={stats.loading} />
      </Card>
      {stats.data ? charts.map(([title, key, label]) => <ChartCard title={t(title)} rows={stats.data![key]} xs={xs} file={`${key}_${span}.csv`} label={label} />) : null}
      <ErrorBox error={removals.error} />
      {removals.data ? <RemovalsCard rows={removals.data.outcomeFigures.removalsByWeek} xs={weeks} file={`removals_${span}.csv`} /> : null}
      {can(me, 'INDICATORS_READ') ? (
        <Card
          title={t('trends.rising')}
          actions={
            <button type="button" data-csv={`rising_${span}.csv`} onClick={() => download(`rising_${span}.csv`, toCsv(['keyword', 'current', 'previous', 'change', 'commodities', 'members'], risingRows.map((r) => [r.indicator.value, r.current, r.previous, r.change, r.indicator.commodities.join(' '), r.indicator.members.join(' ')])))}>
              {t('trends.csv')}
            </button>
          }
        >
          <ErrorBox error={rising.error} />
          {risingRows.length === 0 && !rising.loading ? <p class="muted">{t('app.none')}</p> : null}
          <table class="results" data-rising>
            {risingRows.length > 0 ? (
              <thead>
                <tr>
                  <th>{t('trends.keyword')}</th>
                  <th>{t('field.commodities')}</th>
                  <th class="num">{t('trends.current')}</th>
                  <th class="num">{t('trends.previous')}</th>
                  <th class="num">{t('trends.change')}</th>
                </tr>
              </thead>
            ) : null}
            <tbody>
              {risingRows.map((r) => (
                <tr>
                  <td>
                    <a href={href(`indicator/${r.indicator.id}`)}>{r.indicator.value}</a>
                  </td>
                  <td>{r.indicator.commodities.map(e).join(', ')}</td>
                  <td class="num" title={t('trends.current')}>
                    {r.current}
                  </td>
                  <td class="num muted" title={t('trends.previous')}>
                    {r.previous}
                  </td>
                  <td class="num up" title={t('trends.change')}>
                    +{r.change}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ) : null}
      {can(me, 'INDICATORS_READ') ? <EmergingCard token={token} /> : null}
    </>
  );
}
