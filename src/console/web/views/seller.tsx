import { useEffect, useRef, useState } from 'preact/hooks';
import { gql, type Me } from '../api.js';
import { useI18n } from '../i18n.js';
import { Card, ErrorBox, href, Loading, short, shortDate, useAsync } from '../ui.js';
import { INDICATOR_SUMMARY, IndicatorTable, type IndicatorSummary } from './search.js';
import type { GraphData, GraphHandle, GraphNodeData } from './graph.js';

interface Linked {
  listings: number;
  indicator: IndicatorSummary;
}

interface Profile {
  seller: { fingerprint: string; indicator: IndicatorSummary; keywords: Linked[]; images: Linked[]; sellers: Linked[] } | null;
}

const PROFILE = `query Seller($fp: String!) { seller(fingerprint: $fp) {
  fingerprint indicator { ${INDICATOR_SUMMARY} }
  keywords { listings indicator { ${INDICATOR_SUMMARY} } }
  images { listings indicator { ${INDICATOR_SUMMARY} } }
  sellers { listings indicator { ${INDICATOR_SUMMARY} } }
} }`;

const GRAPH = `query Graph($fp: String, $id: ID, $hops: Int, $max: Int, $min: Int) { sellerGraph(fingerprint: $fp, indicatorId: $id, hops: $hops, maxNodes: $max, minListings: $min) {
  center truncated
  nodes { id kind label hop indicator { id members commodities sightingCount lastSeenAt } }
  links { source target kind weight }
} }`;

export function SellerView({ token, fingerprint }: { token: string; me: Me; fingerprint: string }) {
  const { t } = useI18n();
  const [input, setInput] = useState(fingerprint);
  useEffect(() => setInput(fingerprint), [fingerprint]);
  const profile = useAsync(() => gql<Profile>(token, PROFILE, { fp: fingerprint }), [token, fingerprint], fingerprint !== '');
  const submit = (ev: Event) => {
    ev.preventDefault();
    location.hash = href(`seller/${input.trim()}`);
  };
  // The render right after leaving #/seller/<fp> for #/seller still holds that profile: show none.
  const seller = fingerprint === '' ? undefined : profile.data?.seller;
  const linkedTable = (rows: Linked[]) => <LinkedTable rows={rows} />;
  return (
    <>
      <Card title={t('seller.title')}>
        <form class="filters" onSubmit={submit}>
          <label class="wide">
            {t('seller.fingerprint')}
            <input name="fingerprint" value={input} spellcheck={false} onInput={(ev) => setInput((ev.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">{t('seller.show')}</button>
        </form>
        <ErrorBox error={fingerprint === '' ? undefined : profile.error} />
        <Loading when={fingerprint !== '' && profile.loading} />
        {seller === null ? <p class="muted">{t('seller.notFound')}</p> : null}
      </Card>
      {seller ? (
        <>
          <Card title={t('seller.profile')}>
            <dl class="facts">
              <dt>{t('field.members')}</dt>
              <dd data-members>{seller.indicator.members.join(', ')}</dd>
              <dt>{t('field.sightings')}</dt>
              <dd>{seller.indicator.sightingCount}</dd>
              <dt>{t('field.firstSeen')}</dt>
              <dd>{shortDate(seller.indicator.firstSeenAt)}</dd>
              <dt>{t('field.lastSeen')}</dt>
              <dd>{shortDate(seller.indicator.lastSeenAt)}</dd>
            </dl>
          </Card>
          <GraphCard token={token} fingerprint={fingerprint} />
          <Card title={t('seller.keywords')}>{linkedTable(seller.keywords)}</Card>
          <Card title={t('seller.images')}>{linkedTable(seller.images)}</Card>
          <Card title={t('seller.sellers')}>{linkedTable(seller.sellers)}</Card>
        </>
      ) : null}
    </>
  );
}

/** Most listings first; long lists open on request. */
function LinkedTable({ rows }: { rows: Linked[] }) {
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  const shown = all ? rows : rows.slice(0, LINKED_SHOWN);
  return (
    <>
      <IndicatorTable rows={shown.map((l) => l.indicator)} extra={{ header: t('seller.shared'), cell: (_r, i) => shown[i]!.listings }} />
      {rows.length > shown.length ? (
        <button type="button" class="link" onClick={() => setAll(true)}>
          {t('seller.showAll', { n: rows.length })}
        </button>
      ) : null}
    </>
  );
}

const LINKED_SHOWN = 12;

/** Thresholds the analyst picks from: a link seen in one listing may be chance, in five rarely is. */
const MIN_LISTINGS = [1, 2, 3, 5];

function GraphCard({ token, fingerprint }: { token: string; fingerprint: string }) {
  const { t, e } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const handle = useRef<GraphHandle | null>(null);
  const [selected, setSelected] = useState<GraphNodeData | null>(null);
  const [nodes, setNodes] = useState<GraphNodeData[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [minListings, setMinListings] = useState(1);
  const [hops, setHops] = useState(2);
  useEffect(() => {
    let live = true;
    (async () => {
      const [{ sellerGraph }, { drawGraph }] = await Promise.all([gql<{ sellerGraph: GraphData | null }>(token, GRAPH, { fp: fingerprint, hops, max: 30, min: minListings }), import('./graph.js')]);
      if (!live || sellerGraph === null || box.current === null) return;
      setTruncated(sellerGraph.truncated);
      setNodes(sellerGraph.nodes);
      setSelected(null);
      handle.current = drawGraph(box.current, sellerGraph, setSelected, t('seller.ownGroup'));
    })().catch((err: Error) => live && setError(err));
    return () => {
      live = false;
      handle.current?.destroy();
      handle.current = null;
    };
  }, [token, fingerprint, minListings, hops]);
  const expand = async (node: GraphNodeData) => {
    try {
      const { sellerGraph } = await gql<{ sellerGraph: GraphData | null }>(token, GRAPH, { id: node.id, hops: 1, max: 20, min: minListings });
      if (sellerGraph === null) return;
      handle.current?.add(sellerGraph);
      setNodes((known) => [...known, ...sellerGraph.nodes.filter((n) => !known.some((k) => k.id === n.id)).map((n) => ({ ...n, hop: node.hop + n.hop }))]);
    } catch (err) {
      setError(err as Error);
    }
  };
  const actions = (n: GraphNodeData) =>
    n.indicator ? (
      <>
        <a href={href(`indicator/${n.id}`)}>{t('seller.open')}</a>{' '}
        <button type="button" class="link" data-expand={n.id} onClick={() => void expand(n)}>
          {t('seller.expand')}
        </button>
      </>
    ) : null;
  return (
    <Card title={t('seller.graph')}>
      <p class="muted">{t('seller.graphHelp')}</p>
      <form class="filters" onSubmit={(ev) => ev.preventDefault()}>
        <label>
          {t('seller.minListings')}
          <select name="minListings" value={minListings} onChange={(ev) => setMinListings(Number((ev.target as HTMLSelectElement).value))}>
            {MIN_LISTINGS.map((n) => (
              <option value={n}>{t('seller.minListingsN', { n })}</option>
            ))}
          </select>
        </label>
        <label>
          {t('seller.hops')}
          <select name="hops" value={hops} onChange={(ev) => setHops(Number((ev.target as HTMLSelectElement).value))}>
            <option value={1}>1</option>
            <option value={2}>2</option>
          </select>
        </label>
      </form>
      {truncated ? <p class="notice">{t('seller.truncated')}</p> : null}
      <ErrorBox error={error} />
      <div class="graph-wrap">
        <div class="graph" ref={box} data-graph />
        <aside class="graph-side">
          {selected ? (
            <>
              <p>
                <strong>{e(selected.kind)}</strong>
              </p>
              <p class="value" title={selected.label}>
                {short(selected.label, 60)}
              </p>
              {selected.indicator ? (
                <p>
                  {t('field.members')}: {selected.indicator.members.join(', ')}
                </p>
              ) : null}
              <p>{actions(selected)}</p>
            </>
          ) : null}
        </aside>
      </div>
      {/* The same nodes as a list: the canvas is not readable by a screen reader or a keyboard. */}
      <details class="graph-nodes">
        <summary>{t('seller.nodeList', { n: nodes.length })}</summary>
        <ul>
          {[...nodes].sort((a, b) => a.hop - b.hop).map((n) => (
            <li data-node={n.id} data-hop={n.hop}>
              <span class="muted">{n.hop}</span> {e(n.kind)} <span class="value">{short(n.label, 40)}</span> {actions(n)}
            </li>
          ))}
        </ul>
      </details>
    </Card>
  );
}
