import { useState } from 'preact/hooks';
import { can, gql, type Me } from '../api.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { Card, ErrorBox, href, Loading, shortDate, Status, Tlp, useAsync } from '../ui.js';
import { decodeBase64, verifyBatchInclusion, VerifyError } from '../verify.js';
import { INDICATOR_SUMMARY, type IndicatorSummary } from './search.js';

interface Sighting {
  member: string;
  batchId: string;
  observedAt: string;
  commodity: string;
  species: string | null;
  purpose: string | null;
  confidence: number;
  tlp: string;
  expiresAt: string | null;
  retractedAt: string | null;
  originalText: string | null;
  context: { language: string | null; platformSection: string | null; listingCount: number | null } | null;
}

interface Detail extends IndicatorSummary {
  sightings: Sighting[];
  opinions: Array<{ by: string; verdict: string; note: string | null; createdAt: string; leafIndex: number }>;
}

const DETAIL = `query Indicator($id: ID!) { indicator(id: $id) {
  ${INDICATOR_SUMMARY}
  sightings { member batchId observedAt commodity species purpose confidence tlp expiresAt retractedAt originalText context { language platformSection listingCount } }
  opinions { by verdict note createdAt leafIndex }
} }`;

interface ProvenanceSighting {
  member: string;
  batchId: string;
  tlp: string;
  jws: string | null;
  sdJwt: string | null;
  leafIndex: number;
  logEntry: string;
  inclusionProof: string[];
}

const PROVENANCE = `query Provenance($id: ID!) {
  provenance(indicatorId: $id) { checkpoint treeSize sightings { member batchId tlp jws sdJwt leafIndex logEntry inclusionProof } }
  checkpoint { verifierKey }
}`;

export function IndicatorView({ token, me, id }: { token: string; me: Me; id: string }) {
  const { t, e } = useI18n();
  const q = useAsync(() => gql<{ indicator: Detail | null }>(token, DETAIL, { id }), [token, id]);
  const ind = q.data?.indicator;
  return (
    <>
      <ErrorBox error={q.error} />
      <Loading when={q.loading} />
      {q.data && ind === null ? <p class="muted">{t('app.none')}</p> : null}
      {ind ? (
        <>
          <Card title={`${t('indicator.title')}: ${e(ind.type)}`}>
            <p class="value big" data-value>
              {ind.value}
            </p>
            <dl class="facts">
              <dt>{t('field.status')}</dt>
              <dd>
                <Status status={ind.status} />
              </dd>
              <dt>{t('field.members')}</dt>
              <dd>{ind.members.join(', ')}</dd>
              <dt>{t('field.commodities')}</dt>
              <dd>{ind.commodities.map(e).join(', ')}</dd>
              <dt>{t('field.firstSeen')}</dt>
              <dd>{shortDate(ind.firstSeenAt)}</dd>
              <dt>{t('field.lastSeen')}</dt>
              <dd>{shortDate(ind.lastSeenAt)}</dd>
              {ind.quality !== null ? (
                <>
                  <dt>{t('field.quality')}</dt>
                  <dd>{ind.quality}</dd>
                </>
              ) : null}
            </dl>
            {ind.type === 'SELLER' && can(me, 'SELLERS_READ') ? <a href={href(`seller/${ind.value}`)}>{t('indicator.openSeller')}</a> : null}
          </Card>
          <Card title={t('indicator.sightings')}>
            <table class="results">
              <thead>
                <tr>
                  <th>{t('field.member')}</th>
                  <th>{t('field.observed')}</th>
                  <th>{t('field.commodity')}</th>
                  <th>{t('field.tlp')}</th>
                  <th>{t('field.confidence')}</th>
                  <th>{t('field.original')}</th>
                  <th>{t('field.batch')}</th>
                </tr>
              </thead>
              <tbody>
                {ind.sightings.map((s) => (
                  <tr>
                    <td>{s.member}</td>
                    <td>{shortDate(s.observedAt)}</td>
                    <td>
                      {e(s.commodity)}
                      {s.species ? <em> {s.species}</em> : null}
                    </td>
                    <td>
                      <Tlp tlp={s.tlp} />
                    </td>
                    <td class="num">{s.confidence}</td>
                    <td>{s.originalText ?? '—'}</td>
                    <td>
                      <code>{s.batchId.slice(0, 8)}</code>
                      {s.retractedAt ? <span class="tag">{t('field.retracted')}</span> : null}
                      {s.expiresAt ? <span class="muted"> {t('field.expires')} {shortDate(s.expiresAt)}</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card title={t('indicator.opinions')}>
            {ind.opinions.length === 0 ? <p class="muted">{t('indicator.noOpinions')}</p> : null}
            <ul class="opinions">
              {ind.opinions.map((o) => (
                <li>
                  <Status status={o.verdict} /> <strong>{o.by}</strong> {shortDate(o.createdAt)} {o.note ? <q>{o.note}</q> : null}
                </li>
              ))}
            </ul>
          </Card>
          <ProvenancePanel token={token} id={id} />
        </>
      ) : null}
    </>
  );
}

type Verdict = { ok: true; size: number; withheld: number } | { ok: false; reason: string };

/** The batch's hash, as its log entry commits to it. */
function batchHashOf(logEntry: string): string {
  try {
    const bytes = decodeBase64(logEntry);
    return bytes ? String((JSON.parse(new TextDecoder().decode(bytes)) as { jwsSha256?: string }).jwsSha256) : '?';
  } catch {
    return '?';
  }
}

function ProvenancePanel({ token, id }: { token: string; id: string }) {
  const { t } = useI18n();
  const [wanted, setWanted] = useState(false);
  const q = useAsync(() => gql<{ provenance: { checkpoint: string; treeSize: number; sightings: ProvenanceSighting[] } | null; checkpoint: { verifierKey: string } }>(token, PROVENANCE, { id }), [token, id, wanted], wanted);
  const [key, setKey] = useState<string | null>(null);
  const [verdicts, setVerdicts] = useState<Record<number, Verdict>>({});
  const p = q.data?.provenance;
  const verifierKey = key ?? q.data?.checkpoint.verifierKey ?? '';
  const verify = async (s: ProvenanceSighting): Promise<void> => {
    let verdict: Verdict;
    try {
      const r = await verifyBatchInclusion({ ...s, batch: s.sdJwt ?? s.jws, checkpoint: p!.checkpoint, verifierKey });
      verdict = { ok: true, size: r.treeSize, withheld: r.withheld };
    } catch (err) {
      verdict = { ok: false, reason: err instanceof VerifyError ? t(`verify.${err.code}` as MessageKey) : String(err) };
    }
    setVerdicts((v) => ({ ...v, [s.leafIndex]: verdict }));
  };
  return (
    <Card
      title={t('indicator.provenance')}
      actions={
        p ? (
          <button type="button" onClick={() => p.sightings.forEach((s) => void verify(s))}>
            {t('indicator.verifyAll')}
          </button>
        ) : null
      }
    >
      <p class="muted">{t('indicator.provenanceHelp')}</p>
      {!wanted ? (
        <button type="button" onClick={() => setWanted(true)}>
          {t('indicator.loadProvenance')}
        </button>
      ) : null}
      <ErrorBox error={q.error} />
      <Loading when={wanted && q.loading} />
      {p ? (
        <>
          <label class="wide">
            {t('indicator.verifierKey')}
            <input name="verifierKey" value={verifierKey} spellcheck={false} onInput={(ev) => setKey((ev.target as HTMLInputElement).value)} />
          </label>
          <table class="results">
            <thead>
              <tr>
                <th>{t('field.member')}</th>
                <th>{t('field.batch')}</th>
                <th>{t('field.tlp')}</th>
                <th>{t('field.leafIndex')}</th>
                <th>{t('field.batchHash')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {p.sightings.map((s) => {
                const v = verdicts[s.leafIndex];
                return (
                  <tr data-leaf={s.leafIndex}>
                    <td>{s.member}</td>
                    <td>
                      <code>{s.batchId}</code>
                    </td>
                    <td>
                      <Tlp tlp={s.tlp} />
                    </td>
                    <td class="num">{s.leafIndex}</td>
                    <td>
                      <code class="hash">{batchHashOf(s.logEntry)}</code>
                    </td>
                    <td>
                      <button type="button" onClick={() => void verify(s)}>
                        {t('indicator.verify')}
                      </button>{' '}
                      {v ? <span class={v.ok ? 'ok' : 'bad'} data-verdict={v.ok ? 'ok' : 'bad'}>{v.ok ? `✓ ${t('indicator.verified', { size: v.size })}${v.withheld > 0 ? ` · ${t('indicator.withheld', { count: v.withheld })}` : ''}` : `✗ ${v.reason}`}</span> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
    </Card>
  );
}
