/**
 * The demo's synthetic but realistic data set, reproducible from a seed: trafficking code words in
 * Chinese and English written differently on each platform (spaced, punctuated, traditional
 * characters, full width), sellers active on two or three platforms under the same phone number
 * formatted differently, and product photos re-posted across platforms after editing.
 * Everything here is fictional.
 */
import sharp from 'sharp';
import { hashImage } from '../../src/hashing/index.js';
import { PDQ_WEAK_QUALITY } from '../../src/indicators/index.js';

export const PLATFORMS = ['shopmart', 'chatapp', 'searchco'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

interface CodeWord {
  commodity: string;
  species?: string;
  /** The forms platforms see: the first is canonical, the others are evasive variants of it. */
  forms: string[];
  language: 'zh' | 'en';
}

/** Code words reported in the literature on the online trade, with the variants sellers use. */
export const CODE_WORDS: CodeWord[] = [
  { commodity: 'IVORY', species: 'Loxodonta africana', language: 'zh', forms: ['象牙手镯', '象 牙 手 镯', '象牙手鐲', '象-牙-手-镯'] },
  { commodity: 'IVORY', language: 'zh', forms: ['白色黄金', '白 色 黄 金', '白色黃金'] },
  { commodity: 'IVORY', language: 'zh', forms: ['老象牙雕件', '老 象牙 雕件', '老象牙彫件'.replace('彫', '雕')] },
  { commodity: 'IVORY', language: 'en', forms: ['white gold bangle', 'white-gold bangle', 'WHITE GOLD BANGLE', 'ｗｈｉｔｅ ｇｏｌｄ bangle'] },
  { commodity: 'RHINO_HORN', species: 'Diceros bicornis', language: 'zh', forms: ['犀角杯', '犀 角 杯', '犀角盃'] },
  { commodity: 'RHINO_HORN', language: 'zh', forms: ['犀牛角粉', '犀牛 角粉', '犀 牛 角 粉'] },
  { commodity: 'RHINO_HORN', language: 'en', forms: ['unicorn horn powder', 'unicorn-horn powder', 'Unicorn Horn Powder'] },
  { commodity: 'PANGOLIN', species: 'Manis javanica', language: 'zh', forms: ['穿山甲片', '穿 山 甲 片', '穿山甲·片'] },
  { commodity: 'PANGOLIN', language: 'zh', forms: ['鲮鲤甲', '鲮 鲤 甲', '鯪鯉甲'] },
  { commodity: 'PANGOLIN', language: 'en', forms: ['scales for medicine', 'scales-for-medicine', 'SCALES for medicine'] },
  { commodity: 'TIGER', species: 'Panthera tigris', language: 'zh', forms: ['虎骨酒', '虎 骨 酒', '虎-骨-酒'] },
  { commodity: 'TIGER', language: 'en', forms: ['tiger bone wine', 'tiger-bone wine', 'T1GER bone wine'.replace('1', 'I')] },
  { commodity: 'TURTLE_TORTOISE', species: 'Eretmochelys imbricata', language: 'zh', forms: ['玳瑁手镯', '玳 瑁 手 镯', '玳瑁手鐲'] },
  { commodity: 'TURTLE_TORTOISE', language: 'en', forms: ['hawksbill shell bracelet', 'hawksbill-shell bracelet'] },
  { commodity: 'BIRD', species: 'Rhinoplax vigil', language: 'zh', forms: ['鹤顶红', '鹤 顶 红', '鶴頂紅'] },
  { commodity: 'BIRD', language: 'en', forms: ['red ivory casque', 'red-ivory casque', 'Red Ivory Casque'] },
];

export interface Seller {
  /** The same person's number, as each platform happens to have it. */
  phoneForms: string[];
  accounts: Partial<Record<Platform, string>>;
  platforms: Platform[];
  commodity: string;
}

export interface DemoImage {
  /** Which original it shows, and how it was edited (none for the original). */
  original: number;
  edit: 'none' | 'resized' | 'brighter' | 'recompressed' | 'cropped';
  jpeg: Buffer;
}

export interface Listing {
  /** The platform's own listing URL: the node publishes only its pseudonym, which links what the listing holds. */
  url: string;
  platform: Platform;
  seller: number;
  codeWord: number;
  /** The text as this platform saw it (a variant of the code word). */
  text: string;
  image?: DemoImage;
  commodity: string;
  species?: string;
  tlp: 'GREEN' | 'AMBER' | 'RED';
  confidence: number;
  observedAt: string;
  language: 'zh' | 'en';
}

export interface Dataset {
  sellers: Seller[];
  listings: Listing[];
  /** Indices of sellers active on more than one platform. */
  crossPlatformSellers: number[];
}

function phoneForms(rng: Rng): string[] {
  const digits = `13${Math.floor(rng() * 10)}${String(Math.floor(rng() * 1e8)).padStart(8, '0')}`;
  return [`+86 ${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`, digits, `+86-${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`];
}

function makeSellers(rng: Rng, count: number): Seller[] {
  return Array.from({ length: count }, (_, i) => {
    const spread = rng();
    const platforms = spread < 0.25 ? [...PLATFORMS] : spread < 0.6 ? shuffle(rng, [...PLATFORMS]).slice(0, 2) : [pick(rng, PLATFORMS)];
    const accounts: Partial<Record<Platform, string>> = {};
    for (const p of platforms) accounts[p] = `${p.slice(0, 2)}_${(i * 7919 + Math.floor(rng() * 1e6)).toString(36)}`;
    return { phoneForms: phoneForms(rng), accounts, platforms, commodity: pick(rng, CODE_WORDS).commodity };
  });
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * A product-like photo: shapes and gradients on a background, different for each seed. Many
 * shapes keep most photos well above the nodes' PDQ quality threshold (six large ones left some
 * at 41); passingPhoto draws again for the few that are not.
 */
async function basePhoto(rng: Rng): Promise<Buffer> {
  const hue = Math.floor(rng() * 360);
  const shapes = Array.from({ length: 14 + Math.floor(rng() * 6) }, () => {
    const x = Math.floor(rng() * 320);
    const y = Math.floor(rng() * 320);
    const r = 12 + Math.floor(rng() * 50);
    const fill = `hsl(${Math.floor(rng() * 360)},${40 + Math.floor(rng() * 50)}%,${25 + Math.floor(rng() * 60)}%)`;
    return rng() < 0.5 ? `<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}"/>` : `<rect x="${x}" y="${y}" width="${r * 1.5}" height="${r}" fill="${fill}" transform="rotate(${Math.floor(rng() * 90)} ${x} ${y})"/>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="320">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},30%,85%)"/><stop offset="1" stop-color="hsl(${(hue + 60) % 360},40%,35%)"/></linearGradient></defs>
    <rect width="320" height="320" fill="url(#g)"/>${shapes.join('')}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

/** The edits a re-poster makes; each keeps the PDQ hash within matching distance of the original. */
async function edited(photo: Buffer, edit: DemoImage['edit']): Promise<Buffer> {
  switch (edit) {
    case 'resized':
      return sharp(photo).resize(256, 256).jpeg({ quality: 85 }).toBuffer();
    case 'brighter':
      return sharp(photo).modulate({ brightness: 1.12 }).jpeg({ quality: 85 }).toBuffer();
    case 'recompressed':
      return sharp(photo).jpeg({ quality: 40 }).toBuffer();
    case 'cropped':
      return sharp(photo).extract({ left: 6, top: 6, width: 308, height: 308 }).jpeg({ quality: 85 }).toBuffer();
    case 'none':
      return photo;
  }
}

const EDITS: Array<DemoImage['edit']> = ['resized', 'brighter', 'recompressed', 'cropped'];

/** Photos drawn for one original before giving up: far more than any seed tried needed (two). */
const PHOTO_ATTEMPTS = 20;

/**
 * A photo whose every edit passes the nodes' PDQ quality floor. Shapes alone cannot promise it
 * (seed 11 drew one that scored 42), so a photo that fails is drawn again from the same `rng`:
 * still one data set per seed, and seeds whose first photo passed keep the data they had.
 */
async function passingPhoto(rng: Rng, minQuality: number): Promise<Buffer> {
  for (let attempt = 0; attempt < PHOTO_ATTEMPTS; attempt++) {
    const photo = await basePhoto(rng);
    if (await everyEditPasses(photo, minQuality)) return photo;
  }
  throw new Error(`no photo of PDQ quality ≥ ${minQuality} in ${PHOTO_ATTEMPTS} attempts`);
}

async function everyEditPasses(photo: Buffer, minQuality: number): Promise<boolean> {
  for (const edit of ['none', ...EDITS] as const) {
    if ((await hashImage(await edited(photo, edit))).quality < minQuality) return false;
  }
  return true;
}

/**
 * Builds the data set: `listings` in all (spread over the platforms), one seller per few listings,
 * and `images` product photos, each posted by a seller on every platform it uses (edited on all
 * but the first), each photo and its edits of PDQ quality at least `minPdqQuality` (default the
 * nodes' NODE_MIN_PDQ_QUALITY default). `onProgress` is told how many listings are ready.
 */
export async function buildDataset(options: { seed: number; listings: number; images: number; now: Date; minPdqQuality?: number; onProgress?: (done: number, total: number) => void }): Promise<Dataset> {
  const rng = seededRandom(options.seed);
  const sellers = makeSellers(rng, Math.max(12, Math.round(options.listings / 6)));
  const crossPlatformSellers = sellers.flatMap((s, i) => (s.platforms.length > 1 ? [i] : []));
  const listings: Listing[] = [];
  const day = 86_400_000;
  const listing = (platform: Platform, seller: number, image?: DemoImage): Listing => {
    const s = sellers[seller]!;
    const codeWordIndex = rng() < 0.7 ? CODE_WORDS.findIndex((c) => c.commodity === s.commodity) : Math.floor(rng() * CODE_WORDS.length);
    const codeWord = CODE_WORDS[codeWordIndex]!;
    const tlpRoll = rng();
    return {
      url: `https://${platform}.example/listing/${listings.length + 1}`,
      platform,
      seller,
      codeWord: codeWordIndex,
      text: pick(rng, codeWord.forms),
      ...(image ? { image } : {}),
      commodity: codeWord.commodity,
      ...(codeWord.species ? { species: codeWord.species } : {}),
      tlp: tlpRoll < 0.3 ? 'GREEN' : tlpRoll < 0.9 ? 'AMBER' : 'RED',
      confidence: 60 + Math.floor(rng() * 36),
      observedAt: new Date(options.now.getTime() - Math.floor(rng() * 28 * day) - day).toISOString(),
      language: codeWord.language,
    };
  };
  // Photos first: each multi-platform seller re-posts its photo, edited, on its other platforms.
  for (let i = 0; i < options.images && crossPlatformSellers.length > 0; i++) {
    const seller = crossPlatformSellers[i % crossPlatformSellers.length]!;
    const photo = await passingPhoto(rng, options.minPdqQuality ?? PDQ_WEAK_QUALITY);
    for (const [n, platform] of sellers[seller]!.platforms.entries()) {
      const edit = n === 0 ? 'none' : pick(rng, EDITS);
      listings.push(listing(platform, seller, { original: i, edit, jpeg: await edited(photo, edit) }));
    }
    options.onProgress?.(listings.length, options.listings);
  }
  while (listings.length < options.listings) {
    const seller = Math.floor(rng() * sellers.length);
    listings.push(listing(pick(rng, sellers[seller]!.platforms), seller));
    if (listings.length % 500 === 0) options.onProgress?.(listings.length, options.listings);
  }
  options.onProgress?.(listings.length, options.listings);
  return { sellers, listings, crossPlatformSellers };
}

/** The platform API observations for one listing, each naming it: the seller, its code word, and its photo. */
export function observationsOf(listing: Listing, seller: Seller): object[] {
  const common = {
    commodity: listing.commodity,
    ...(listing.species ? { species: listing.species } : {}),
    confidence: listing.confidence,
    tlp: listing.tlp,
    observedAt: listing.observedAt,
    platformSection: 'listings',
    listing: listing.url,
  };
  const formIndex = PLATFORMS.indexOf(listing.platform) % seller.phoneForms.length;
  const observations: object[] = [
    { kind: 'seller', identifier: { type: 'phone', value: seller.phoneForms[formIndex]! }, ...common },
    { kind: 'seller', identifier: { type: 'account', value: seller.accounts[listing.platform]! }, ...common },
    { kind: 'keyword', text: listing.text, language: listing.language, ...common },
  ];
  if (listing.image) observations.push({ kind: 'image', data: listing.image.jpeg.toString('base64'), ...common });
  return observations;
}
