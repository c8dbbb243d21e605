/**
 * A small, realistic data set for the analyst console's browser tests and screenshots, published
 * through real signed batches: code words in Chinese and English with their evasive spellings,
 * two sellers active on several platforms, a product photo (hashed on the node side with sharp)
 * re-posted by two platforms, sightings spread over the last four weeks, and the items a narrow
 * token must not see (RED batches, other commodities).
 */
import { hashImage } from '../../src/hashing/index.js';
import { computeListingPseudonym, indicatorId, normalizeKeyword } from '../../src/indicators/index.js';
import type { TestFederation, TestMember } from './federation.js';
import { batchMediaType } from '../../src/provenance/index.js';

export const SELLER_WANG = `fp1.demo-1.${Buffer.alloc(32, 0x5a).toString('base64url')}`;
export const SELLER_LI = `fp1.demo-1.${Buffer.alloc(32, 0x3c).toString('base64url')}`;

export interface ConsoleSeed {
  members: Record<'shopmart' | 'chatapp' | 'searchco', TestMember>;
  /** The photo's PDQ hash as the node (sharp) computes it. */
  photoPdq: string;
  photoId: string;
  /** Values a GREEN token limited to IVORY must never be shown. */
  hiddenFromNarrow: string[];
  /** Code words in a RED batch only. */
  redWords: string[];
}

const DAY = 86_400_000;

export async function seedConsole(fed: TestFederation, photoFile: string, now = Date.now()): Promise<ConsoleSeed> {
  const members = { shopmart: await fed.addMember('shopmart'), chatapp: await fed.addMember('chatapp'), searchco: await fed.addMember('searchco') };
  const ago = (days: number, hour = 9): string => new Date(Math.floor((now - days * DAY) / DAY) * DAY + hour * 3_600_000).toISOString();
  const kw = (text: string, commodity: string, days: number, confidence = 80) => ({ type: 'KEYWORD', value: normalizeKeyword(text), original: text, commodity, observedAt: ago(days), confidence, context: { language: /[\u4e00-\u9fff]/.test(text) ? 'zh' : 'en' } });
  const seller = (fp: string, commodity: string, days: number) => ({ type: 'SELLER', value: fp, commodity, observedAt: ago(days), confidence: 90 });
  const { pdq, quality } = await hashImage(photoFile);
  const photo = (commodity: string, days: number) => ({ type: 'IMAGE_PDQ', value: pdq, quality, commodity, observedAt: ago(days), confidence: 75 });
  // chatapp's node signs version 2 (SD-JWT), the others' are still on version 1: the console shows and verifies both.
  // Links come from listings (issue 21): each batch here is one listing of its member.
  let listings = 0;
  const publish = async (member: TestMember, tlp: string, indicators: object[]): Promise<void> => {
    const listing = computeListingPseudonym(`https://${member.slug}.example/listing/${++listings}`, { keyId: 'demo-1', key: new Uint8Array(32).fill(0x21) });
    const listed = indicators.map((i) => ({ ...i, listings: [listing] }));
    const batch = await fed.sign(member, { tlp: tlp as never, indicators: listed }, { version: member.slug === 'chatapp' ? 2 : 1 });
    const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': batchMediaType(batch) }, body: batch });
    if (res.status !== 201) throw new Error(`seed batch refused: ${res.status} ${await res.text()}`);
  };
  const { shopmart, chatapp, searchco } = members;
  // Four weeks ago: a few code words, each on one platform.
  await publish(shopmart, 'AMBER', [kw('象牙手镯', 'IVORY', 26), kw('ivory bangle', 'IVORY', 25), seller(SELLER_WANG, 'IVORY', 26)]);
  await publish(chatapp, 'GREEN', [kw('牙雕 摆件', 'IVORY', 24), kw('老象牙', 'IVORY', 22, 65)]);
  await publish(searchco, 'AMBER', [kw('穿山甲片', 'PANGOLIN', 20), kw('pangolin scales', 'PANGOLIN', 19)]);
  // Last two weeks: the same trade across platforms, the photo re-posted, sellers linked.
  await publish(shopmart, 'AMBER', [seller(SELLER_WANG, 'IVORY', 12), kw('象 牙 手 镯', 'IVORY', 12), photo('IVORY', 12), kw('猛犸 牙 雕', 'IVORY', 11)]);
  await publish(chatapp, 'AMBER', [seller(SELLER_WANG, 'IVORY', 9), seller(SELLER_LI, 'IVORY', 9), kw('象牙手鐲', 'IVORY', 9), photo('IVORY', 9)]);
  await publish(chatapp, 'GREEN', [kw('老象牙', 'IVORY', 8), kw('牙雕 摆件', 'IVORY', 7)]);
  await publish(chatapp, 'GREEN', [kw('老 象 牙', 'IVORY', 4)]);
  await publish(searchco, 'AMBER', [seller(SELLER_LI, 'PANGOLIN', 6), kw('穿山甲鳞片', 'PANGOLIN', 6), kw('rhino horn cup', 'RHINO_HORN', 5)]);
  await publish(shopmart, 'GREEN', [kw('ivory bangle', 'IVORY', 3), kw('虎骨酒', 'TIGER', 2)]);
  await publish(shopmart, 'GREEN', [kw('Ivory Bangle', 'IVORY', 2)]);
  await publish(searchco, 'RED', [kw('犀角杯 现货', 'RHINO_HORN', 2), kw('象牙 原料 批发', 'IVORY', 1), seller(SELLER_LI, 'IVORY', 1)]);
  const redWords = ['犀角杯 现货', '象牙 原料 批发'].map(normalizeKeyword);
  const hiddenFromNarrow = [
    ...redWords,
    ...['穿山甲片', 'pangolin scales', '穿山甲鳞片', 'rhino horn cup', '虎骨酒'].map(normalizeKeyword),
    // AMBER ivory items: above GREEN.
    ...['象牙手镯', '猛犸 牙 雕', '象牙手鐲'].map(normalizeKeyword),
    pdq,
    SELLER_WANG,
    SELLER_LI,
  ];
  return { members, photoPdq: pdq, photoId: indicatorId('IMAGE_PDQ', pdq), hiddenFromNarrow, redWords };
}

/** The listing an analyst pastes in the Match view: code words spelled the way no member wrote them. */
export const LISTING = '全新到货！象 牙 手 鐲，包邮。Also: IVORY-bangle / 犀角杯现货 / 穿山甲 片 — DM me';
