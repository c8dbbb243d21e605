/**
 * The canonical form of a reported listing, so that two reports of one listing meet: a URL loses
 * its fragment, tracking parameters, default port, trailing slash and letter case of scheme and
 * host, and keeps its other query parameters sorted; a platform's listing id is kept as written
 * (trimmed). Never a RegExp made from input.
 */
const TRACKING = new Set(['spm', 'scm', 'from', 'ref', 'share', 'share_token', 'share_from', 'fbclid', 'gclid', 'utm_id', 'ttclid', 'sharesource', 'shareuid']);

export function canonicalListing(raw: string): string {
  const text = raw.trim();
  if (!/^https?:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  url.hash = '';
  url.username = '';
  url.password = '';
  const kept = [...url.searchParams].filter(([k]) => !TRACKING.has(k.toLowerCase()) && !k.toLowerCase().startsWith('utm_'));
  kept.sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1));
  const query = new URLSearchParams(kept).toString();
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : '';
  // URL already lower-cases scheme and host and drops a default port.
  return `${url.protocol}//${url.host}${path}${query === '' ? '' : `?${query}`}`;
}
