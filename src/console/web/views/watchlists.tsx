import { useEffect, useState } from 'preact/hooks';
import { ALERT_FIELDS, ApiError, can, COMMODITIES, gql, type LiveAlert, type Me } from '../api.js';
import { alertFeed } from '../alert-feed.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { Card, ErrorBox, href, Loading, shortDate, short, Tlp, useAsync } from '../ui.js';

interface Watchlist {
  id: string;
  name: string;
  commodities: string[];
  keywords: string[];
  seller: string | null;
  sellerHidden: boolean;
  image: { pdq: string; maxDistance: number } | null;
  createdBy: string;
  createdAt: string;
  matchesUpTo: string;
  unacknowledged: number;
  suspended: boolean;
}

const LIST = `{ watchlists { id name commodities keywords seller sellerHidden image { pdq maxDistance } createdBy createdAt matchesUpTo unacknowledged suspended } }`;
const ALERTS = `query Alerts($filter: AlertFilter) { alerts(filter: $filter, first: 100) { unacknowledged edges { node { ${ALERT_FIELDS} } } } }`;
const CREATE = `mutation Create($input: WatchlistInput!) { createWatchlist(input: $input) { id } }`;
const DELETE = `mutation Delete($id: ID!) { deleteWatchlist(id: $id) }`;
const ACK = `mutation Ack($ids: [ID!]!, $ack: Boolean) { acknowledgeAlerts(ids: $ids, acknowledged: $ack) { id acknowledged } }`;

const PDQ = /^[0-9a-f]{64}$/;

function WatchlistForm({ token, me, prefill, onSaved }: { token: string; me: Me; prefill: string; onSaved(): void }) {
  const { t, e } = useI18n();
  const [name, setName] = useState('');
  const [commodities, setCommodities] = useState<string[]>([]);
  const [keywords, setKeywords] = useState('');
  const [seller, setSeller] = useState(prefill.startsWith('fp1.') ? prefill : '');
  const [pdq, setPdq] = useState(PDQ.test(prefill) ? prefill : '');
  const [radius, setRadius] = useState(31);
  const [error, setError] = useState<ApiError | undefined>();
  const allowed = me.commodities ?? [...COMMODITIES];
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError(undefined);
    const input = {
      name,
      commodities,
      keywords: keywords.split(/[\n,，]/).map((k) => k.trim()).filter(Boolean),
      ...(seller.trim() ? { seller: seller.trim() } : {}),
      ...(pdq.trim() ? { image: { pdq: pdq.trim(), maxDistance: radius } } : {}),
    };
    try {
      await gql(token, CREATE, { input });
      setName('');
      setKeywords('');
      setCommodities([]);
      setSeller('');
      setPdq('');
      onSaved();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const toggle = (c: string) => setCommodities(commodities.includes(c) ? commodities.filter((x) => x !== c) : [...commodities, c]);
  return (
    <Card title={t('watch.create')}>
      <form class="watch-form" onSubmit={submit}>
        <label>
          {t('watch.name')}
          <input name="name" value={name} required onInput={(ev) => setName((ev.target as HTMLInputElement).value)} />
        </label>
        <fieldset>
          <legend>{t('field.commodities')}</legend>
          {allowed.map((c) => (
            <label class="check">
              <input type="checkbox" name="commodity" value={c} checked={commodities.includes(c)} onChange={() => toggle(c)} /> {e(c)}
            </label>
          ))}
        </fieldset>
        <label>
          {t('watch.keywords')}
          <textarea name="keywords" rows={3} value={keywords} onInput={(ev) => setKeywords((ev.target as HTMLTextAreaElement).value)} />
        </label>
        {can(me, 'SELLERS_READ') ? (
          <label>
            {t('watch.seller')}
            <input name="seller" value={seller} spellcheck={false} onInput={(ev) => setSeller((ev.target as HTMLInputElement).value)} />
          </label>
        ) : null}
        <label>
          {t('watch.image')}
          <input name="pdq" value={pdq} spellcheck={false} onInput={(ev) => setPdq((ev.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('watch.radius')}
          <input name="radius" type="number" min={0} max={64} value={radius} onInput={(ev) => setRadius(Number((ev.target as HTMLInputElement).value))} />
        </label>
        <button type="submit">{t('watch.save')}</button>
        <ErrorBox error={error} />
      </form>
    </Card>
  );
}

function describe(w: Watchlist, t: (k: MessageKey, v?: Record<string, string | number>) => string, e: (v: string) => string): string {
  const parts = [
    ...(w.commodities.length ? [w.commodities.map(e).join(', ')] : []),
    ...w.keywords.map((k) => `“${k}”`),
    ...(w.seller ? [short(w.seller, 24)] : w.sellerHidden ? [t('watch.sellerHidden')] : []),
    ...(w.image ? [`PDQ ${w.image.pdq.slice(0, 12)}… ≤ ${w.image.maxDistance}`] : []),
  ];
  return parts.join(' · ');
}

export function WatchlistsView({ token, me, prefill }: { token: string; me: Me; prefill: string }) {
  const { t, e } = useI18n();
  const list = useAsync(() => gql<{ watchlists: Watchlist[] }>(token, LIST), [token]);
  const [filter, setFilter] = useState<{ acknowledged: boolean | null; watchlistId: string | null }>({ acknowledged: false, watchlistId: null });
  const alerts = useAsync(
    () => gql<{ alerts: { unacknowledged: number; edges: Array<{ node: LiveAlert }> } }>(token, ALERTS, { filter: { acknowledged: filter.acknowledged, watchlistId: filter.watchlistId } }),
    [token, filter],
  );
  const [fresh, setFresh] = useState<LiveAlert[]>([]);
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => alertFeed.listen((a) => setFresh((f) => [a, ...f.filter((x) => x.id !== a.id)])), []);
  const reload = () => {
    setFresh([]);
    list.reload();
    alerts.reload();
  };
  const act = async (run: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await run();
      reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const known = new Set((alerts.data?.alerts.edges ?? []).map((x) => x.node.id));
  const shown = [...fresh.filter((a) => !known.has(a.id) && (filter.watchlistId === null || a.watchlistId === filter.watchlistId)), ...(alerts.data?.alerts.edges ?? []).map((x) => x.node)];
  const freshIds = new Set(fresh.map((a) => a.id));
  return (
    <>
      <Card title={t('watch.title')}>
        <ErrorBox error={list.error ?? error} />
        <Loading when={list.loading} />
        {list.data?.watchlists.length === 0 ? <p class="muted">{t('watch.none')}</p> : null}
        <ul class="watchlists">
          {(list.data?.watchlists ?? []).map((w) => (
            <li data-watchlist={w.name}>
              <button type="button" class={`link ${filter.watchlistId === w.id ? 'on' : ''}`} onClick={() => setFilter({ ...filter, watchlistId: filter.watchlistId === w.id ? null : w.id })}>
                <strong>{w.name}</strong>
              </button>{' '}
              {w.unacknowledged > 0 ? <span class="badge">{w.unacknowledged}</span> : null} <span class="muted">{describe(w, t, e)}</span>{' '}
              <span class="muted">
                {t('watch.createdBy', { who: w.createdBy })} · {t('watch.matchesUpTo', { tlp: w.matchesUpTo })}
              </span>{' '}
              {w.suspended ? (
                <span class="badge warn" data-suspended title={t('watch.suspendedWhy')}>
                  {t('watch.suspended')}
                </span>
              ) : null}{' '}
              <button type="button" class="danger" onClick={() => void act(() => gql(token, DELETE, { id: w.id }))}>
                {t('watch.delete')}
              </button>
            </li>
          ))}
        </ul>
      </Card>
      <WatchlistForm token={token} me={me} prefill={prefill} onSaved={reload} />
      <Card
        title={t('alerts.title')}
        actions={
          <select aria-label={t('alerts.title')} value={filter.acknowledged === false ? 'open' : 'all'} onChange={(ev) => setFilter({ ...filter, acknowledged: (ev.target as HTMLSelectElement).value === 'open' ? false : null })}>
            <option value="open">{t('alerts.unacknowledged')}</option>
            <option value="all">{t('alerts.all')}</option>
          </select>
        }
      >
        <ErrorBox error={alerts.error} />
        {shown.length === 0 && !alerts.loading ? <p class="muted">{t('alerts.none')}</p> : null}
        <table class="results alerts">
          <tbody>
            {shown.map((a) => (
              <tr data-alert={a.id} class={a.acknowledged ? 'done' : ''}>
                <td>
                  {freshIds.has(a.id) ? <span class="badge">{t('alerts.new')}</span> : null} {shortDate(a.createdAt)}
                </td>
                <td>{a.watchlistName}</td>
                <td>
                  <a href={href(`indicator/${a.indicator.id}`)} class="value">
                    {short(a.indicator.value, 40)}
                  </a>
                </td>
                <td>{t(`alerts.reason.${a.reason}` as MessageKey, { m: a.matched ?? '', d: a.distance ?? '' })}</td>
                <td>
                  {a.member} · {e(a.commodity)} <Tlp tlp={a.tlp} />
                  {a.retracted ? <span class="tag">{t('field.retracted')}</span> : null}
                </td>
                <td>
                  {a.acknowledged ? (
                    <button type="button" onClick={() => void act(() => gql(token, ACK, { ids: [a.id], ack: false }))}>
                      {t('alerts.reopen')}
                    </button>
                  ) : (
                    <button type="button" data-ack onClick={() => void act(() => gql(token, ACK, { ids: [a.id], ack: true }))}>
                      {t('alerts.acknowledge')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </>
  );
}
