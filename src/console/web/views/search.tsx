import { useEffect, useState } from 'preact/hooks';
import { can, COMMODITIES, gql, INDICATOR_TYPES, STATUSES, tlpsUpTo, type Me } from '../api.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { Card, DateInput, ErrorBox, href, Loading, shortDate, Status, short, useAsync } from '../ui.js';

export const INDICATOR_SUMMARY = 'id type value quality commodities members sightingCount firstSeenAt lastSeenAt status maxConfidence';

export interface IndicatorSummary {
  id: string;
  type: string;
  value: string;
  quality: number | null;
  commodities: string[];
  members: string[];
  sightingCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
  status: string;
  maxConfidence: number;
}

interface Page {
  indicators: { totalCount?: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: IndicatorSummary }> };
}

const SEARCH = `query Search($filter: IndicatorFilter, $first: Int, $after: String, $withTotal: Boolean!) {
  indicators(filter: $filter, first: $first, after: $after) {
    totalCount @include(if: $withTotal)
    pageInfo { hasNextPage endCursor }
    edges { node { ${INDICATOR_SUMMARY} } }
  }
}`;

const STATES: Array<[string, MessageKey]> = [
  ['LIVE', 'state.live'],
  ['WITH_RETRACTED', 'state.withRetracted'],
  ['WITH_EXPIRED', 'state.withExpired'],
  ['RETRACTED', 'state.retracted'],
  ['EXPIRED', 'state.expired'],
];

interface Form {
  type: string;
  commodity: string;
  member: string;
  tlp: string;
  text: string;
  from: string;
  to: string;
  status: string;
  state: string;
}

const EMPTY: Form = { type: '', commodity: '', member: '', tlp: '', text: '', from: '', to: '', status: '', state: 'LIVE' };
const PAGE_SIZE = 25;

/** The form as the API's IndicatorFilter (dates as UTC midnights, `to` inclusive of its day). */
function toFilter(f: Form): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  if (f.type) filter['type'] = f.type;
  if (f.commodity) filter['commodity'] = f.commodity;
  if (f.member) filter['member'] = f.member;
  if (f.tlp) filter['tlp'] = f.tlp;
  if (f.text.trim()) filter['keywordContains'] = f.text.trim();
  if (f.from) filter['observedAfter'] = `${f.from}T00:00:00Z`;
  if (f.to) filter['observedBefore'] = new Date(Date.parse(`${f.to}T00:00:00Z`) + 86_400_000).toISOString();
  if (f.status) filter['status'] = f.status;
  if (f.state === 'WITH_RETRACTED') filter['includeRetracted'] = true;
  if (f.state === 'WITH_EXPIRED') filter['includeExpired'] = true;
  if (f.state === 'RETRACTED' || f.state === 'EXPIRED') filter['sightingState'] = f.state;
  return filter;
}

function Select({ label, value, options, onChange, name }: { label: string; value: string; options: Array<[string, string]>; onChange(v: string): void; name: string }) {
  const { t } = useI18n();
  return (
    <label>
      {label}
      <select name={name} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        <option value="">{t('field.any')}</option>
        {options.map(([v, text]) => (
          <option value={v}>{text}</option>
        ))}
      </select>
    </label>
  );
}

export function SearchView({ token, me }: { token: string; me: Me }) {
  const { t, e } = useI18n();
  const [form, setForm] = useState<Form>(EMPTY);
  const [query, setQuery] = useState<{ filter: Record<string, unknown>; cursors: Array<string | null> }>({ filter: {}, cursors: [null] });
  const members = useAsync(() => gql<{ members: Array<{ slug: string; name: string }> }>(token, '{ members { slug name } }'), [token]);
  const after = query.cursors.at(-1) ?? null;
  const page = useAsync(() => gql<Page>(token, SEARCH, { filter: query.filter, first: PAGE_SIZE, after, withTotal: after === null }), [token, query]);
  const [total, setTotal] = useState<number | undefined>();
  useEffect(() => {
    const n = page.data?.indicators.totalCount;
    if (n !== undefined) setTotal(n);
  }, [page.data]);
  const set = (key: keyof Form) => (value: string) => setForm({ ...form, [key]: value });
  const types = INDICATOR_TYPES.filter((ty) => ty !== 'SELLER' || can(me, 'SELLERS_READ'));
  const commodities = me.commodities ?? [...COMMODITIES];
  const submit = (ev: Event) => {
    ev.preventDefault();
    setQuery({ filter: toFilter(form), cursors: [null] });
  };
  const conn = page.data?.indicators;
  return (
    <Card title={t('search.title')}>
      <form class="filters" onSubmit={submit}>
        <Select name="type" label={t('field.type')} value={form.type} onChange={set('type')} options={types.map((v) => [v, e(v)])} />
        <Select name="commodity" label={t('field.commodity')} value={form.commodity} onChange={set('commodity')} options={commodities.map((v) => [v, e(v)])} />
        <Select name="member" label={t('field.member')} value={form.member} onChange={set('member')} options={(members.data?.members ?? []).map((m) => [m.slug, m.name])} />
        <Select name="tlp" label={t('field.tlp')} value={form.tlp} onChange={set('tlp')} options={tlpsUpTo(me.tlp).map((v) => [v, v])} />
        <label>
          {t('field.text')}
          <input name="text" value={form.text} onInput={(ev) => set('text')((ev.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('field.from')}
          <DateInput name="from" value={form.from} onValue={set('from')} />
        </label>
        <label>
          {t('field.to')}
          <DateInput name="to" value={form.to} onValue={set('to')} />
        </label>
        <Select name="status" label={t('field.status')} value={form.status} onChange={set('status')} options={STATUSES.map((v) => [v, e(v)])} />
        <label>
          {t('field.state')}
          <select name="state" value={form.state} onChange={(ev) => set('state')((ev.target as HTMLSelectElement).value)}>
            {STATES.map(([v, key]) => (
              <option value={v}>{t(key)}</option>
            ))}
          </select>
        </label>
        <button type="submit">{t('search.submit')}</button>
      </form>
      <ErrorBox error={page.error} />
      <Loading when={page.loading} />
      {conn ? (
        <>
          {total !== undefined ? <p class="muted" data-total={total}>{t('search.total', { n: total })}</p> : null}
          <IndicatorTable rows={conn.edges.map((edge) => edge.node)} />
          <div class="pager">
            <button type="button" disabled={query.cursors.length < 2} onClick={() => setQuery({ ...query, cursors: query.cursors.slice(0, -1) })}>
              {t('search.previous')}
            </button>
            <button type="button" disabled={!conn.pageInfo.hasNextPage} onClick={() => setQuery({ ...query, cursors: [...query.cursors, conn.pageInfo.endCursor] })}>
              {t('search.next')}
            </button>
          </div>
        </>
      ) : null}
    </Card>
  );
}

export function IndicatorTable({ rows, extra }: { rows: IndicatorSummary[]; extra?: { header: string; cell(row: IndicatorSummary, i: number): string | number } }) {
  const { t, e } = useI18n();
  if (rows.length === 0) return <p class="muted">{t('app.none')}</p>;
  return (
    <table class="results">
      <thead>
        <tr>
          {extra ? <th>{extra.header}</th> : null}
          <th>{t('field.value')}</th>
          <th>{t('field.type')}</th>
          <th>{t('field.commodities')}</th>
          <th>{t('field.members')}</th>
          <th>{t('field.sightings')}</th>
          <th>{t('field.lastSeen')}</th>
          <th>{t('field.status')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr data-indicator={r.id}>
            {extra ? <td class="num">{extra.cell(r, i)}</td> : null}
            <td>
              <a href={href(`indicator/${r.id}`)} class="value" title={r.value}>
                {short(r.value)}
              </a>
            </td>
            <td>{e(r.type)}</td>
            <td>{r.commodities.map(e).join(', ')}</td>
            <td>{r.members.join(', ')}</td>
            <td class="num">{r.sightingCount}</td>
            <td>{shortDate(r.lastSeenAt)}</td>
            <td>
              <Status status={r.status} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
