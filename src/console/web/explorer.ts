/**
 * The API explorer: GraphiQL, served by the hub (no CDN), with the analyst's token applied by the
 * fetcher (not written into GraphiQL's headers editor, so it is never stored), and GraphiQL's
 * storage kept in memory: queries and tabs are not written to localStorage either.
 */
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws/client';
import 'graphiql/style.css';

/** A Storage that forgets everything when the explorer closes. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  };
}

const DEFAULT_QUERY = `# Your token is applied to every request. Ctrl-Enter runs the query.
{
  me { agency subject scopes tlp commodities expiresAt }
  indicators(first: 5) { totalCount edges { node { type value members lastSeenAt status } } }
}
`;

export function mountExplorer(el: HTMLElement, options: { token: string }): () => void {
  const authorization = `Bearer ${options.token}`;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const wsClient = createClient({ url: `${scheme}://${location.host}/graphql`, connectionParams: { authorization }, lazy: true });
  const fetcher = createGraphiQLFetcher({ url: '/graphql', headers: { authorization }, wsClient, enableIncrementalDelivery: false });
  const root = createRoot(el);
  root.render(createElement(GraphiQL, { fetcher, storage: memoryStorage(), defaultQuery: DEFAULT_QUERY, shouldPersistHeaders: false, defaultEditorToolsVisibility: false }));
  return () => {
    root.unmount();
    void wsClient.dispose();
  };
}
