/**
 * Terms that say nothing about wildlife on their own: the shop talk of every listing on a
 * Chinese or English marketplace (shipping, stock, authenticity, price, contact), a few English
 * function words, and the placeholders the node puts where it removed an identifier. A keyword
 * made only of these (digits aside) would hit ordinary listings by the thousand, so the
 * specificity rule refuses it; as part of a longer keyword they are fine (`包邮象牙手镯`).
 *
 * Chosen from what sellers of any goods write, not from the wildlife code words: none of these
 * names a species, a part or a product. Written in normalized form (keyword-normalization.ts:
 * lower case, simplified Chinese, no spaces), since keywords are compared in that form. Single
 * letters are left out on purpose: keyword values have no spaces, so a one-letter term would let
 * the rule "cover" real words letter by letter.
 */
export const GENERIC_TERMS_ZH: readonly string[] = [
  '包邮', '现货', '正品', '微信', '特价', '促销', '新款', '热卖', '批发', '零售', '优惠', '折扣',
  '全新', '二手', '便宜', '低价', '秒杀', '顺丰', '下单', '购买', '出售', '转让', '欢迎', '咨询',
  '私聊', '联系', '加我', '客服', '店铺', '宝贝', '限时', '清仓', '价格', '实拍', '好货', '精品',
  '质量', '保证', '保真', '货到付款', '代购', '直邮', '发货', '库存', '预定', '定制', '免费',
];

export const GENERIC_TERMS_EN: readonly string[] = [
  'free', 'shipping', 'ship', 'delivery', 'sale', 'new', 'hot', 'cheap', 'price', 'discount', 'offer',
  'deal', 'deals', 'buy', 'sell', 'selling', 'shop', 'shopping', 'store', 'order', 'wholesale', 'retail', 'original',
  'genuine', 'authentic', 'real', 'quality', 'best', 'top', 'brand', 'stock', 'available', 'contact',
  'message', 'item', 'items', 'gift', 'gifts', 'the', 'and', 'for', 'with', 'in', 'on', 'of', 'to',
  'now', 'today', 'only', 'limited', 'good', 'nice', 'wechat', 'whatsapp',
  // The node's placeholders for removed identifiers (anonymizer.ts): nothing of the listing.
  'phone', 'email', 'chat', 'link', 'number',
];

export const DEFAULT_GENERIC_TERMS: readonly string[] = [...GENERIC_TERMS_ZH, ...GENERIC_TERMS_EN];
