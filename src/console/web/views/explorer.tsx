import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import { ErrorBox } from '../ui.js';

/** The explorer's own entry (GraphiQL with React) is loaded only when this view opens. */
const EXPLORER_JS = '/console/explorer.js';
const EXPLORER_CSS = '/console/explorer.css';

interface ExplorerModule {
  mountExplorer(el: HTMLElement, options: { token: string }): () => void;
}

function loadCss(): void {
  if (document.querySelector(`link[href="${EXPLORER_CSS}"]`) !== null) return;
  document.head.append(Object.assign(document.createElement('link'), { rel: 'stylesheet', href: EXPLORER_CSS }));
}

export function ExplorerView({ token }: { token: string }) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<Error | undefined>();
  useEffect(() => {
    let unmount: (() => void) | undefined;
    let live = true;
    loadCss();
    (import(/* a separate entry, not bundled into the page */ EXPLORER_JS) as Promise<ExplorerModule>).then(
      (m) => {
        if (live && box.current) unmount = m.mountExplorer(box.current, { token });
      },
      (err: Error) => setError(err),
    );
    return () => {
      live = false;
      unmount?.();
    };
  }, [token]);
  return (
    <section class="explorer-view">
      <p class="muted">{t('explorer.help')}</p>
      <ErrorBox error={error} />
      <div class="explorer" ref={box} data-explorer />
    </section>
  );
}
