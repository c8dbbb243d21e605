/**
 * Labelled listings for the model's benchmark and tests, made the same way on every run from a
 * seed (nothing is downloaded): short posts in Chinese and English, a few percent of them sales
 * of wildlife products and the rest hard negatives that mention the same products or words
 * without selling them — the colour ivory-white, news of a seizure, legal mammoth or antique
 * items with papers, conservation posts, ordinary goods whose names look like code words — and
 * plain ordinary sales. Some sales use only code words that the keyword list does not hold
 * (`heldOut`): a keyword list misses them, the model and `model terms` should find them.
 * A small share of labels is flipped (3 % of sales, 0.3 % of the rest), as real moderation labels are never clean.
 */
import { seededRandom } from '../src/model/index.js';

export interface LabelledPost {
  readonly text: string;
  readonly label: boolean;
}

export interface ListingCorpus {
  readonly listings: LabelledPost[];
  /** The keyword list a member would have: product names and the known code words (raw, not normalized). */
  readonly keywords: string[];
  /** Code words used in sales but not in `keywords`. */
  readonly heldOut: string[];
}

const PRODUCTS_ZH = ['象牙', '犀牛角', '穿山甲片', '虎骨', '玳瑁'];
const PRODUCTS_EN = ['ivory', 'rhino horn', 'pangolin scales', 'tiger bone', 'hawksbill shell'];
const KNOWN_CODE_ZH = ['白货', '牙料'];
const KNOWN_CODE_EN = ['white gold'];
const HELD_OUT_ZH = ['猛料', '糖白', '老象片'];
const HELD_OUT_EN = ['elebone', 'tusko'];
const ITEMS_ZH = ['手镯', '挂件', '摆件', '原料', '珠串', '雕刻', '杯子', '手串'];
const ITEMS_EN = ['bangle', 'pendant', 'carving', 'beads', 'cup', 'raw piece', 'bracelet', 'figurine'];
const SELL_ZH = ['出售', '现货', '包邮', '私聊', '加微信', '价格私聊', '支持验货', '量大从优', '货到付款', '诚信交易'];
const SELL_EN = ['for sale', 'DM for price', 'WhatsApp me', 'ships worldwide', 'discreet shipping', 'wholesale price', 'in stock', 'serious buyers only', 'pay on delivery'];
const FILLER_ZH = ['今天', '朋友', '一起', '看看', '喜欢', '真的', '很好', '大家', '周末', '新款', '质量', '颜色', '漂亮', '便宜', '推荐'];
const FILLER_EN = ['today', 'friends', 'nice', 'really', 'good', 'weekend', 'new', 'quality', 'great', 'look', 'love', 'best', 'check', 'cheap'];
const GOODS_ZH = ['手机壳', '自行车', '连衣裙', '沙发', '茶叶', '冰箱', '洗衣机', '电脑', '书包', '白糖', '猛犸玩具车'];
const GOODS_EN = ['phone case', 'bike', 'dress', 'sofa', 'green tea', 'fridge', 'laptop', 'backpack', 'white sugar', 'bone china plates', 'tuskegee tshirt'];

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const some = <T>(r: Rand, xs: readonly T[], min: number, max: number): T[] => Array.from({ length: min + Math.floor(r() * (max - min + 1)) }, () => pick(r, xs));
const join = (r: Rand, parts: readonly string[], zh: boolean): string => parts.join(zh ? pick(r, ['，', ' ', '', '！', '。']) : pick(r, [' ', ', ', ' - ', '! ']));

/** One sale; `heldOutOnly` names the product only by a code word the keyword list lacks. */
function sale(r: Rand, zh: boolean, heldOutOnly: boolean): string {
  const code = heldOutOnly ? pick(r, zh ? HELD_OUT_ZH : HELD_OUT_EN) : r() < 0.3 ? pick(r, zh ? KNOWN_CODE_ZH : KNOWN_CODE_EN) : pick(r, zh ? PRODUCTS_ZH : PRODUCTS_EN);
  const item = pick(r, zh ? ITEMS_ZH : ITEMS_EN);
  const extra = !heldOutOnly && r() < 0.25 ? [pick(r, zh ? HELD_OUT_ZH : HELD_OUT_EN)] : [];
  const sell = some(r, zh ? SELL_ZH : SELL_EN, 1, 3);
  const filler = some(r, zh ? FILLER_ZH : FILLER_EN, 0, 3);
  const parts = [zh ? `${code}${item}` : `${code} ${item}`, ...extra, ...sell, ...filler];
  return join(r, shuffled(r, parts), zh);
}

/** A hard negative: mentions the product or a look-alike, sells nothing illegal. */
function hardNegative(r: Rand, zh: boolean): string {
  const kind = Math.floor(r() * 6);
  const filler = some(r, zh ? FILLER_ZH : FILLER_EN, 0, 3);
  const sell = r() < 0.5 ? some(r, zh ? SELL_ZH : SELL_EN, 1, 2) : [];
  const text = zh
    ? [
        () => [`象牙白${pick(r, ['连衣裙', '墙漆', '衬衫', '瓷砖', '沙发'])}`, '颜色', ...sell],
        () => [`海关查获${pick(r, PRODUCTS_ZH)}${1 + Math.floor(r() * 900)}公斤`, pick(r, ['新闻', '警方通报', '走私案告破', '嫌疑人被捕'])],
        () => [`猛犸象牙${pick(r, ITEMS_ZH)}`, pick(r, ['合法来源', '有证书', '古董', '出土化石', '有鉴定证书']), ...sell],
        () => [pick(r, ['保护大象', '拒绝象牙', '没有买卖就没有杀害', '保护穿山甲']), pick(r, ['公益', '志愿者', '宣传活动']), pick(r, PRODUCTS_ZH)],
        () => [`${pick(r, ['白货', '白糖', '猛犸玩具车'])}${pick(r, ['冰箱', '洗衣机', '一箱', '特价', '模型'])}`, ...sell],
        () => [`仿${pick(r, PRODUCTS_ZH)}${pick(r, ITEMS_ZH)}`, pick(r, ['树脂', '塑料', '骨头', '牛骨']), pick(r, ['工艺品', '合法']), ...sell],
      ][kind]!()
    : [
        () => [`ivory white ${pick(r, ['dress', 'paint', 'shirt', 'tiles', 'sofa'])}`, 'colour', ...sell],
        () => [`customs seized ${1 + Math.floor(r() * 900)}kg of ${pick(r, PRODUCTS_EN)}`, pick(r, ['news', 'police report', 'smuggling ring busted', 'suspect arrested'])],
        () => [`mammoth ivory ${pick(r, ITEMS_EN)}`, pick(r, ['legal with papers', 'CITES certificate', 'antique pre-1947', 'fossil']), ...sell],
        () => [pick(r, ['protect elephants', 'say no to ivory', 'save the pangolin', 'when the buying stops the killing can too']), pick(r, ['volunteer', 'campaign', 'charity walk']), pick(r, PRODUCTS_EN)],
        () => [`${pick(r, ['white gold ring 18k', 'white gold necklace', 'elephant bone china', 'tuskegee tshirt'])}`, ...sell],
        () => [`faux ${pick(r, PRODUCTS_EN)} ${pick(r, ITEMS_EN)}`, pick(r, ['resin', 'plastic', 'cow bone']), pick(r, ['replica', 'legal']), ...sell],
      ][kind]!();
  return join(r, shuffled(r, [...text, ...filler]), zh);
}

function ordinary(r: Rand, zh: boolean): string {
  const parts = [pick(r, zh ? GOODS_ZH : GOODS_EN), ...some(r, zh ? SELL_ZH : SELL_EN, 0, 2), ...some(r, zh ? FILLER_ZH : FILLER_EN, 1, 4)];
  return join(r, shuffled(r, parts), zh);
}

function shuffled<T>(r: Rand, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

export function listingCorpus(options: { count: number; seed: number; saleShare?: number; heldOutShare?: number; noise?: number }): ListingCorpus {
  const r = seededRandom(options.seed);
  const saleShare = options.saleShare ?? 0.06;
  const heldOutShare = options.heldOutShare ?? 0.25;
  const noise = options.noise ?? 0.03;
  const listings: LabelledPost[] = [];
  for (let i = 0; i < options.count; i++) {
    const zh = r() < 0.5;
    const isSale = r() < saleShare;
    const text = isSale ? sale(r, zh, r() < heldOutShare) : r() < 0.3 ? hardNegative(r, zh) : ordinary(r, zh);
    // Flipped labels: a sale missed by a moderator, more rarely an innocent post taken down.
    const flipped = r() < (isSale ? noise : noise / 10);
    listings.push({ text, label: flipped ? !isSale : isSale });
  }
  return { listings, keywords: [...PRODUCTS_ZH, ...PRODUCTS_EN, ...KNOWN_CODE_ZH, ...KNOWN_CODE_EN], heldOut: [...HELD_OUT_ZH, ...HELD_OUT_EN] };
}
