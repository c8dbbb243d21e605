/**
 * The seller graph, drawn with Cytoscape.js (loaded only when the seller view opens). Node
 * styles are Cytoscape style objects, not CSS, so the page's Content-Security-Policy needs no
 * inline styles.
 */
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';

export interface GraphNodeData {
  id: string;
  kind: 'SELLER' | 'KEYWORD' | 'IMAGE' | 'PLATFORM';
  label: string;
  hop: number;
  indicator: { id: string; members: string[]; commodities: string[]; sightingCount: number; lastSeenAt: string } | null;
}

export interface GraphData {
  center: string;
  truncated: boolean;
  nodes: GraphNodeData[];
  links: Array<{ source: string; target: string; kind: string; weight: number }>;
}

export interface GraphHandle {
  add(graph: GraphData): void;
  destroy(): void;
  /** For tests and screenshots: how many nodes and edges are drawn. */
  size(): { nodes: number; edges: number };
}

const COLOURS: Record<GraphNodeData['kind'], string> = { SELLER: '#b3261e', KEYWORD: '#1f6feb', IMAGE: '#8250df', PLATFORM: '#2da44e' };

/**
 * Cytoscape adds a one-line stylesheet (`position: relative` on its container) through a <style>
 * element, which the console's CSP refuses; the console's CSS already gives the container that,
 * and an element with the id Cytoscape looks for tells it the sheet is there.
 */
function preemptInlineStylesheet(): void {
  const id = '__________cytoscape_stylesheet';
  if (document.getElementById(id) === null) document.head.append(Object.assign(document.createElement('meta'), { id }));
}

function elements(graph: GraphData): ElementDefinition[] {
  return [
    ...graph.nodes.map((n) => ({ group: 'nodes' as const, data: { ...n, short: n.label.length > 18 ? `${n.label.slice(0, 17)}…` : n.label, colour: COLOURS[n.kind], centre: n.id === graph.center ? 1 : 0 } })),
    ...graph.links.map((l) => ({ group: 'edges' as const, data: { id: `${l.kind}:${[l.source, l.target].sort().join('~')}`, source: l.source, target: l.target, kind: l.kind, weight: l.weight } })),
  ];
}

export function drawGraph(container: HTMLElement, graph: GraphData, onSelect: (node: GraphNodeData | null) => void): GraphHandle {
  preemptInlineStylesheet();
  const cy: Core = cytoscape({
    container,
    elements: elements(graph),
    wheelSensitivity: 0.3,
    style: [
      { selector: 'node', style: { 'background-color': 'data(colour)', label: 'data(short)', 'font-size': 10, color: '#1f2328', 'text-valign': 'bottom', 'text-margin-y': 4, width: 18, height: 18 } },
      { selector: 'node[kind = "PLATFORM"]', style: { shape: 'round-rectangle', width: 26, height: 16 } },
      { selector: 'node[centre = 1]', style: { width: 30, height: 30, 'border-width': 3, 'border-color': '#1f2328' } },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#d29922' } },
      { selector: 'edge', style: { width: 'mapData(weight, 1, 10, 1, 5)', 'line-color': '#8c959f', 'curve-style': 'bezier', opacity: 0.7 } },
      { selector: 'edge[kind = "REPORTED_BY"]', style: { 'line-style': 'dashed', 'line-color': '#2da44e' } },
    ],
    // Force-directed: batches link many indicators to each other, and a ring by hop hid that structure.
    layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 60 },
  });
  cy.on('tap', 'node', (ev) => onSelect(ev.target.data() as GraphNodeData));
  cy.on('tap', (ev) => ev.target === cy && onSelect(null));
  return {
    add(more) {
      const fresh = elements(more).filter((el) => cy.getElementById(String(el.data['id'])).empty());
      cy.add(fresh);
      cy.layout({ name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 8000 }).run();
    },
    destroy: () => cy.destroy(),
    size: () => ({ nodes: cy.nodes().length, edges: cy.edges().length }),
  };
}
