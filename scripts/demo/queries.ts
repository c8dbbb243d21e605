/**
 * The five example queries the demo prints, each run against the live federation with a check
 * that it shows what it promises (the cross-platform picture), and a one-line summary.
 */
export interface ExampleQuery {
  title: string;
  query: string;
  variables: Record<string, unknown>;
  /** A one-line summary of the answer, or an error message when the promise is not kept. */
  summarize(data: Record<string, unknown>): { ok: boolean; line: string };
}

interface Node {
  value: string;
  members: string[];
}

const multi = (nodes: Node[]): Node[] => nodes.filter((n) => n.members.length > 1);

export function exampleQueries(inputs: { sellerFingerprint: string; sellerOwn: { listings: number; keywords: string[] }; listingText: string; editedPhotoPdq: string; from: string; to: string }): ExampleQuery[] {
  return [
    {
      title: 'Sellers seen on more than one platform (same phone number, pseudonymized with the shared key)',
      query: `query Sellers { indicators(filter: { type: SELLER }, first: 500) { totalCount edges { node { value members sightingCount commodities } } } }`,
      variables: {},
      summarize(data) {
        const nodes = (data['indicators'] as { edges: Array<{ node: Node }> }).edges.map((e) => e.node);
        const many = multi(nodes);
        const three = many.filter((n) => n.members.length === 3).length;
        return { ok: many.length > 0, line: `${many.length} of ${nodes.length} seller fingerprints were reported by 2+ platforms (${three} by all three)` };
      },
    },
    {
      title: "One seller's cross-platform profile, and what its own listings hold",
      query: `query Seller($fp: String!) { seller(fingerprint: $fp) { indicator { members firstSeenAt lastSeenAt commodities } keywords { listings indicator { value members } } images { listings indicator { type value members } } } }`,
      variables: { fp: inputs.sellerFingerprint },
      summarize(data) {
        const seller = data['seller'] as { indicator: Node; keywords: Array<{ listings: number; indicator: Node }>; images: Array<{ indicator: Node }> } | null;
        if (seller === null) return { ok: false, line: 'the seller was not found' };
        // Links come from listings: exactly the code words of this seller's own listings, nothing merely batched with them.
        const got = seller.keywords.map((k) => k.indicator.value).sort();
        const own = [...inputs.sellerOwn.keywords].sort();
        const exact = got.length === own.length && got.every((v, i) => v === own[i]);
        const top = [...seller.keywords].sort((a, b) => b.listings - a.listings)[0];
        const most = top === undefined || top.listings < 2 ? '' : `; most often "${top.indicator.value}" (in ${top.listings} of them)`;
        return {
          ok: seller.indicator.members.length > 1 && exact,
          line: `seen on ${seller.indicator.members.join(', ')}; its ${inputs.sellerOwn.listings} listings hold ${got.length} code words and ${seller.images.length} image hashes${most}${exact ? '' : ` — expected exactly ${own.join(', ')}`}`,
        };
      },
    },
    {
      title: "A new listing's text screened against every platform's code words (spaced, traditional, punctuated)",
      query: `query Screen($text: String!) { matchText(text: $text) { matched start end indicator { value members } } }`,
      variables: { text: inputs.listingText },
      summarize(data) {
        const hits = data['matchText'] as Array<{ matched: string; indicator: Node }>;
        const platforms = new Set(hits.flatMap((h) => h.indicator.members));
        return { ok: hits.length > 0 && platforms.size > 1, line: `${hits.length} code words found (${hits.map((h) => `"${h.matched}"`).join(', ')}), reported by ${[...platforms].sort().join(', ')}` };
      },
    },
    {
      title: 'An edited product photo matched against every platform\'s image hashes (PDQ, exact within distance 31)',
      query: `query Photo($pdq: String!) { matchImage(pdq: $pdq, maxDistance: 31) { distance indicator { members firstSeenAt } } }`,
      variables: { pdq: inputs.editedPhotoPdq },
      summarize(data) {
        const matches = data['matchImage'] as Array<{ distance: number; indicator: { members: string[] } }>;
        const platforms = new Set(matches.flatMap((m) => m.indicator.members));
        return { ok: platforms.size > 1, line: `${matches.length} matching photos at distances ${matches.map((m) => m.distance).join(', ')}, posted on ${[...platforms].sort().join(', ')}` };
      },
    },
    {
      title: 'The trend: new indicators and sightings per week, by platform',
      query: `query Trend($from: DateTime!, $to: DateTime!) { stats(from: $from, to: $to, bucket: WEEK, groupBy: MEMBER) { bucketStart key newIndicators sightings } }`,
      variables: { from: inputs.from, to: inputs.to },
      summarize(data) {
        const rows = data['stats'] as Array<{ key: string; sightings: number }>;
        const byMember = new Map<string, number>();
        for (const r of rows) byMember.set(r.key, (byMember.get(r.key) ?? 0) + r.sightings);
        return { ok: byMember.size === 3, line: [...byMember].map(([m, n]) => `${m} ${n}`).join(', ') + ' sightings over the period' };
      },
    },
  ];
}

export async function runQuery(hubUrl: string, token: string, q: ExampleQuery): Promise<{ ok: boolean; line: string }> {
  const res = await fetch(`${hubUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: q.query, variables: q.variables }),
  });
  const body = (await res.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string }> };
  if (body.errors?.length || !body.data) return { ok: false, line: `error: ${body.errors?.map((e) => e.message).join('; ') ?? res.status}` };
  return q.summarize(body.data);
}
