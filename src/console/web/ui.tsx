import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { languageTag, useI18n } from './i18n.js';

export interface AsyncState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/** Runs `run` when `deps` change (skipped when `enabled` is false) and keeps its latest answer. */
export function useAsync<T>(run: () => Promise<T>, deps: unknown[], enabled = true): AsyncState<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: enabled });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    // Disabled (say the Seller tab without a fingerprint): nothing shown, not what an earlier query answered.
    if (!enabled) {
      setState({ loading: false });
      return;
    }
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    run().then(
      (data) => live && setState({ data, loading: false }),
      (err: unknown) => live && setState({ error: err instanceof ApiError ? err : new ApiError('ERROR', String(err)), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, nonce, enabled]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function ErrorBox({ error }: { error: ApiError | Error | undefined }) {
  const { t } = useI18n();
  if (error === undefined) return null;
  const code = error instanceof ApiError ? error.code : 'ERROR';
  return (
    <p class="error" role="alert">
      {t('app.error')} <code>{code}</code>: {error.message}
    </p>
  );
}

export function Loading({ when }: { when: boolean }) {
  const { t } = useI18n();
  return when ? <p class="muted">{t('app.loading')}</p> : null;
}

export function Card({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card">
      <header>
        <h2>{title}</h2>
        {actions ? <div class="actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Tlp({ tlp }: { tlp: string }) {
  return <span class={`tlp tlp-${tlp.toLowerCase()}`}>TLP:{tlp.replace('_', '+')}</span>;
}

export function Status({ status }: { status: string }) {
  const { e } = useI18n();
  return <span class={`status status-${status.toLowerCase()}`}>{e(status)}</span>;
}

export const shortDate = (iso: string | null | undefined): string => (iso ? iso.slice(0, 16).replace('T', ' ') : '—');

/** A link inside the console (hash routes: nothing about the analyst goes to the server in a URL path). */
export const href = (route: string): string => `#/${route}`;

export function short(value: string, max = 48): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/** Offers text for download as a file (CSV), made in the page. */
export function download(name: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A date picker with the chosen date written out in the console's language beside it: Chromium
 * draws `<input type=date>` in the browser's locale whatever the page's `lang` says.
 */
export function DateInput({ name, value, onValue }: { name: string; value: string; onValue(value: string): void }) {
  const { lang } = useI18n();
  const written = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Intl.DateTimeFormat(languageTag(lang), { timeZone: 'UTC', dateStyle: 'long' }).format(new Date(`${value}T00:00:00Z`)) : '';
  return (
    <>
      <input name={name} type="date" lang={languageTag(lang)} value={value} onInput={(ev) => onValue((ev.target as HTMLInputElement).value)} />
      <span class="muted date-written" data-date-written={name}>
        {written}
      </span>
    </>
  );
}
