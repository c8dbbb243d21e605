import { useEffect, useState } from 'preact/hooks';
import { ApiError, can, gql, type Me } from '../api.js';
import { useI18n } from '../i18n.js';
import { hashPhoto } from '../pdq-client.js';
import { Card, ErrorBox, href, Status } from '../ui.js';
import { INDICATOR_SUMMARY, IndicatorTable, type IndicatorSummary } from './search.js';

interface TextMatch {
  start: number;
  end: number;
  matched: string;
  indicator: IndicatorSummary;
  /** Set on a hit a warninglist suppressed (issue 21): shown, but not highlighted as a match. */
  suppressedBy: { list: string; version: number; entry: string } | null;
}

const MATCH_TEXT = `query MatchText($text: String!) { matchText(text: $text, withSuppressed: true) { start end matched indicator { ${INDICATOR_SUMMARY} } suppressedBy { list version entry } } }`;
const MATCH_IMAGE = `query MatchImage($pdq: String!, $d: Int) { matchImage(pdq: $pdq, maxDistance: $d) { distance indicator { ${INDICATOR_SUMMARY} } } }`;

/** The text cut into plain runs and highlighted matches; overlapping matches keep the earliest, longest. */
export function segments(text: string, matches: readonly TextMatch[]): Array<{ text: string; match?: TextMatch; n?: number }> {
  const sorted = [...matches].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Array<{ text: string; match?: TextMatch; n?: number }> = [];
  let at = 0;
  sorted.forEach((m, i) => {
    if (m.start < at) return;
    if (m.start > at) out.push({ text: text.slice(at, m.start) });
    out.push({ text: text.slice(m.start, m.end), match: m, n: i + 1 });
    at = m.end;
  });
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

function TextMatcher({ token }: { token: string }) {
  const { t, e } = useI18n();
  const [text, setText] = useState('');
  const [result, setResult] = useState<{ text: string; matches: TextMatch[]; suppressed: TextMatch[] } | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError(undefined);
    try {
      const { matchText } = await gql<{ matchText: TextMatch[] }>(token, MATCH_TEXT, { text });
      setResult({ text, matches: matchText.filter((m) => m.suppressedBy === null), suppressed: matchText.filter((m) => m.suppressedBy !== null) });
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <Card title={t('match.text')}>
      <p class="muted">{t('match.textHelp')}</p>
      <form onSubmit={submit}>
        <textarea name="listing" rows={5} value={text} onInput={(ev) => setText((ev.target as HTMLTextAreaElement).value)} />
        <button type="submit" disabled={text.trim() === ''}>
          {t('match.findWords')}
        </button>
      </form>
      <ErrorBox error={error} />
      {result ? (
        <>
          <p class="muted" data-matches={result.matches.length}>
            {t('match.found', { n: result.matches.length })}
          </p>
          <p class="highlighted" data-highlighted>
            {segments(result.text, result.matches).map((s) =>
              s.match ? (
                <mark title={`${s.match.indicator.value} · ${s.match.indicator.members.join(', ')}`}>
                  {s.text}
                  <sup>{s.n}</sup>
                </mark>
              ) : (
                s.text
              ),
            )}
          </p>
          <ol class="matches">
            {result.matches.map((m) => (
              <li>
                <q>{m.matched}</q> → <a href={href(`indicator/${m.indicator.id}`)}>{m.indicator.value}</a> · {m.indicator.commodities.map(e).join(', ')} · {m.indicator.members.join(', ')} <Status status={m.indicator.status} />
              </li>
            ))}
          </ol>
          {result.suppressed.length > 0 ? (
            <>
              <p class="muted">{t('match.suppressed', { n: result.suppressed.length })}</p>
              <ol class="matches" data-suppressed>
                {result.suppressed.map((m) => (
                  <li>
                    <del>{m.matched}</del> → <a href={href(`indicator/${m.indicator.id}`)}>{m.indicator.value}</a> · {t('match.suppressedBy', { list: m.suppressedBy!.list, version: m.suppressedBy!.version, entry: m.suppressedBy!.entry })}
                  </li>
                ))}
              </ol>
            </>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}

function PhotoMatcher({ token }: { token: string }) {
  const { t } = useI18n();
  const [preview, setPreview] = useState<string | null>(null);
  const [hashed, setHashed] = useState<{ hash: string; quality: number; ms: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [radius, setRadius] = useState(31);
  const [matches, setMatches] = useState<Array<{ distance: number; indicator: IndicatorSummary }> | null>(null);
  const [error, setError] = useState<Error | undefined>();
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);
  const search = async (hash: string, d: number) => {
    try {
      const { matchImage } = await gql<{ matchImage: Array<{ distance: number; indicator: IndicatorSummary }> }>(token, MATCH_IMAGE, { pdq: hash, d });
      setMatches(matchImage);
    } catch (err) {
      setError(err as Error);
    }
  };
  const take = async (file: File | undefined) => {
    if (!file) return;
    setError(undefined);
    setMatches(null);
    setHashed(null);
    setPreview(URL.createObjectURL(file));
    setBusy(true);
    try {
      const r = await hashPhoto(file);
      setHashed(r);
      await search(r.hash, radius);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('match.photo')}>
      <p class="muted">{t('match.photoHelp')}</p>
      <div
        class="drop"
        data-drop
        onDragOver={(ev) => ev.preventDefault()}
        onDrop={(ev) => {
          ev.preventDefault();
          void take(ev.dataTransfer?.files[0]);
        }}
      >
        {preview ? <img src={preview} alt="" /> : null}
        <label class="button">
          {t('match.choose')}
          <input name="photo" type="file" accept="image/*" onChange={(ev) => void take((ev.target as HTMLInputElement).files?.[0])} />
        </label>
      </div>
      {busy ? <p class="muted">{t('match.hashing')}</p> : null}
      <ErrorBox error={error} />
      {hashed ? (
        <dl class="facts">
          <dt>{t('match.hash')}</dt>
          <dd>
            <code class="hash" data-pdq>
              {hashed.hash}
            </code>
          </dd>
          <dt>{t('field.quality')}</dt>
          <dd>
            {hashed.quality} <span class="muted">({hashed.ms} ms)</span>
          </dd>
        </dl>
      ) : null}
      <form
        class="filters"
        onSubmit={(ev) => {
          ev.preventDefault();
          if (hashed) void search(hashed.hash, radius);
        }}
      >
        <label>
          {t('match.radius')}
          <input name="radius" type="number" min={0} max={64} value={radius} onInput={(ev) => setRadius(Number((ev.target as HTMLInputElement).value))} />
        </label>
        <button type="submit" disabled={!hashed}>
          {t('match.findImages')}
        </button>
        {hashed ? <a href={href(`watchlists/${hashed.hash}`)}>{t('match.watch')}</a> : null}
      </form>
      {matches ? <IndicatorTable rows={matches.map((m) => m.indicator)} extra={{ header: t('field.distance'), cell: (_r, i) => matches[i]!.distance }} /> : null}
    </Card>
  );
}

export function MatchView({ token, me }: { token: string; me: Me }) {
  const { t } = useI18n();
  return (
    <>
      <h1 class="view">{t('match.title')}</h1>
      {can(me, 'MATCH_TEXT') ? <TextMatcher token={token} /> : null}
      {can(me, 'MATCH_IMAGE') ? <PhotoMatcher token={token} /> : null}
    </>
  );
}
