/**
 * The warninglist every hub and node has without being sent one: benign phrases that contain a
 * wildlife code word. Source code, not downloaded; the federation operator supersedes it by
 * publishing a higher version under the same name (docs/member-node.md "Warninglists").
 */
import { parseWarninglist, type Warninglist } from './warninglist.js';

export const DEFAULT_WARNINGLISTS: readonly Warninglist[] = [
  parseWarninglist({
    name: 'wildintel-benign-phrases',
    version: 1,
    kind: 'phrases',
    description: 'Colours, places, dishes, brands and legal pets whose names contain a code word; and shop talk.',
    entries: [
      // Colours and materials named after ivory.
      '象牙白', '象牙色', '象牙黄', 'ivory white', 'ivory colour', 'ivory color', 'ivory coloured', 'ivory colored',
      // Places and idioms.
      'Ivory Coast', '象牙海岸', '象牙塔', 'ivory tower', 'Côte d’Ivoire',
      // Dishes, brands and legal pets named after tigers.
      '虎皮鹦鹉', '虎皮青椒', '虎皮蛋糕', '虎皮凤爪', '虎皮尖椒', '虎标万金油', 'tiger balm', 'tiger prawn', 'tiger prawns', 'tiger lily',
      // Shop talk (issue 21): suppresses a hit on a keyword that is nothing but it.
      '包邮', 'free shipping',
    ],
  }),
];
