import { useEffect, useMemo, useState } from 'preact/hooks';
import { can, connectAlerts, forgetToken, signIn, storedToken, type LiveAlert, type LiveState, type Me, type Scope, type Session } from './api.js';
import { I18nContext, LANGS, initialLang, languageTag, makeI18n, useI18n, type Lang, type MessageKey } from './i18n.js';
import { alertFeed } from './alert-feed.js';
import { SignIn } from './views/sign-in.js';
import { SearchView } from './views/search.js';
import { IndicatorView } from './views/indicator.js';
import { SellerView } from './views/seller.js';
import { MatchView } from './views/match.js';
import { TrendsView } from './views/trends.js';
import { WatchlistsView } from './views/watchlists.js';
import { ExplorerView } from './views/explorer.js';
import { ReferralsView } from './views/referrals.js';
import { shortDate } from './ui.js';

interface Route {
  view: string;
  arg: string;
}

function parseHash(): Route {
  const [view = '', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  return { view, arg: decodeURIComponent(rest.join('/')) };
}

interface NavItem {
  view: string;
  label: MessageKey;
  /** Shown when the token has any of these (empty: any agency token). */
  needs: Scope[];
}

/** Views the token may not use are not shown at all. */
const NAV: NavItem[] = [
  { view: 'search', label: 'nav.search', needs: ['INDICATORS_READ'] },
  { view: 'seller', label: 'nav.seller', needs: ['SELLERS_READ'] },
  { view: 'match', label: 'nav.match', needs: ['MATCH_TEXT', 'MATCH_IMAGE'] },
  { view: 'trends', label: 'nav.trends', needs: ['STATS_READ'] },
  { view: 'watchlists', label: 'nav.watchlists', needs: ['INDICATORS_READ'] },
  { view: 'referrals', label: 'nav.referrals', needs: ['REFERRALS_READ'] },
  { view: 'explorer', label: 'nav.explorer', needs: [] },
];

const allowed = (me: Me, item: NavItem): boolean => item.needs.length === 0 || item.needs.some((s) => can(me, s));

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang());
  const i18n = useMemo(() => makeI18n(lang, (l) => (sessionStorage.setItem('wildintel.lang', l), setLang(l))), [lang]);
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(storedToken() !== null);
  const [notice, setNotice] = useState<string | null>(null);
  const [route, setRoute] = useState<Route>(parseHash());
  const [live, setLive] = useState<LiveState>('closed');
  const [fresh, setFresh] = useState(0);

  useEffect(() => {
    document.documentElement.lang = languageTag(lang);
  }, [lang]);
  useEffect(() => {
    const onHash = () => setRoute(parseHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  // A reload in the same tab keeps the analyst signed in (the token is in sessionStorage).
  useEffect(() => {
    const token = storedToken();
    if (token === null) return;
    signIn(token)
      .then(setSession, () => forgetToken())
      .finally(() => setRestoring(false));
  }, []);
  // Alerts arrive over graphql-ws for as long as the analyst is signed in.
  useEffect(() => {
    if (session === null || !can(session.me, 'INDICATORS_READ')) return;
    const socket = connectAlerts(
      session.token,
      (alert: LiveAlert) => {
        alertFeed.publish(alert);
        setFresh((n) => n + 1);
      },
      setLive,
    );
    return () => socket.dispose();
  }, [session]);
  // Signed out when the token expires.
  useEffect(() => {
    const exp = session?.me.expiresAt;
    if (!exp) return;
    const timer = setTimeout(() => signOut(i18n.t('app.expired')), Math.max(0, Date.parse(exp) - Date.now()));
    return () => clearTimeout(timer);
  }, [session]);

  const signOut = (message: string | null = null): void => {
    forgetToken();
    setSession(null);
    setNotice(message);
    setFresh(0);
    location.hash = '';
  };

  let body;
  if (restoring) body = <p class="muted">{i18n.t('app.loading')}</p>;
  else if (session === null) body = <SignIn notice={notice} onSignedIn={(s) => (setNotice(null), setSession(s))} />;
  else body = <Signed session={session} route={route} live={live} fresh={fresh} onSignOut={() => signOut()} onSeen={() => setFresh(0)} />;

  return (
    <I18nContext.Provider value={i18n}>
      <header class="top">
        <a class="brand" href="#/">
          wildintel <span>{i18n.t('app.title')}</span>
        </a>
        <div class="lang" role="group" aria-label={i18n.t('app.language')}>
          {LANGS.map((l) => (
            <button type="button" class={l === lang ? 'on' : ''} aria-pressed={l === lang} onClick={() => i18n.setLang(l)}>
              {l === 'en' ? 'EN' : '中文'}
            </button>
          ))}
        </div>
      </header>
      {body}
    </I18nContext.Provider>
  );
}

function Signed(props: { session: Session; route: Route; live: LiveState; fresh: number; onSignOut(): void; onSeen(): void }) {
  const { t } = useI18n();
  const { me, token } = props.session;
  const items = NAV.filter((n) => allowed(me, n));
  const known = items.some((n) => n.view === props.route.view) || (props.route.view === 'indicator' && can(me, 'INDICATORS_READ'));
  useEffect(() => {
    if (!known) location.hash = `#/${items[0]!.view}`;
  }, [props.route.view]);
  useEffect(() => {
    if (props.route.view === 'watchlists') props.onSeen();
  }, [props.route.view, props.fresh]);
  const view = props.route.view;
  const arg = props.route.arg;
  return (
    <>
      <nav class="tabs">
        {items.map((n) => (
          <a href={`#/${n.view}`} class={n.view === view ? 'on' : ''} aria-current={n.view === view ? 'page' : undefined}>
            {t(n.label)}
            {n.view === 'watchlists' && props.fresh > 0 ? <span class="badge">{props.fresh}</span> : null}
          </a>
        ))}
        <span class={`live live-${props.live}`}>{props.live === 'live' ? t('app.live') : props.live === 'connecting' ? t('app.connecting') : t('app.offline')}</span>
        <button type="button" class="signout" onClick={props.onSignOut}>
          {t('app.signOut')}
        </button>
      </nav>
      <WhoAmI me={me} />
      <main>
        {view === 'search' && can(me, 'INDICATORS_READ') ? <SearchView token={token} me={me} /> : null}
        {view === 'indicator' && can(me, 'INDICATORS_READ') ? <IndicatorView token={token} me={me} id={arg} /> : null}
        {view === 'seller' && can(me, 'SELLERS_READ') ? <SellerView token={token} me={me} fingerprint={arg} /> : null}
        {view === 'match' && (can(me, 'MATCH_TEXT') || can(me, 'MATCH_IMAGE')) ? <MatchView token={token} me={me} /> : null}
        {view === 'trends' && can(me, 'STATS_READ') ? <TrendsView token={token} me={me} /> : null}
        {view === 'watchlists' && can(me, 'INDICATORS_READ') ? <WatchlistsView token={token} me={me} prefill={arg} /> : null}
        {view === 'referrals' && can(me, 'REFERRALS_READ') ? <ReferralsView token={token} me={me} /> : null}
        {view === 'explorer' ? <ExplorerView token={token} /> : null}
      </main>
    </>
  );
}

/** What the token says the analyst may do: `me`, always in view. */
function WhoAmI({ me }: { me: Me }) {
  const { t, e } = useI18n();
  const minutes = me.expiresAt ? Math.max(0, Math.round((Date.parse(me.expiresAt) - Date.now()) / 60_000)) : null;
  return (
    <dl class="me" aria-label="me">
      <div>
        <dt>{t('me.agency')}</dt>
        <dd data-me="agency">{me.agency}</dd>
      </div>
      <div>
        <dt>{t('me.analyst')}</dt>
        <dd>{me.subject}</dd>
      </div>
      <div>
        <dt>{t('me.tlp')}</dt>
        <dd data-me="tlp">{me.tlp}</dd>
      </div>
      <div>
        <dt>{t('me.commodities')}</dt>
        <dd data-me="commodities">{me.commodities ? me.commodities.map(e).join(', ') : t('me.allCommodities')}</dd>
      </div>
      <div class="wide">
        <dt>{t('me.scopes')}</dt>
        <dd data-me="scopes">
          {me.scopes.map((s) => (
            <code class="scope">{s.toLowerCase().replace('_', ':')}</code>
          ))}
        </dd>
      </div>
      <div>
        <dt>{t('me.expires')}</dt>
        <dd title={me.expiresAt ?? ''}>
          {shortDate(me.expiresAt)} {minutes !== null ? `(${t('app.expiresIn', { m: minutes })})` : ''}
        </dd>
      </div>
    </dl>
  );
}
