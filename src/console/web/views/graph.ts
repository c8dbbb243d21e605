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

/** The box around the centre's own indicators (those one listing-link away). */
const OWN_GROUP = 'group:own';

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

/**
 * Nodes and edges; with `ownLabel`, the centre's own indicators (hop 1, reached over a listing
 * link) sit in one labelled compound node, so that what the seller posted reads apart from what
 * its listings lead to. Listing links are labelled with their weight (listings).
 */
function elements(graph: GraphData, ownLabel?: string): ElementDefinition[] {
  const own = new Set(graph.links.filter((l) => l.kind === 'SAME_LISTING' && l.source === graph.center).map((l) => l.target));
  const grouped = ownLabel !== undefined && own.size > 0;
  return [
    ...(grouped ? [{ group: 'nodes' as const, data: { id: OWN_GROUP, kind: 'GROUP', short: ownLabel } }] : []),
    ...graph.nodes.map((n) => ({
      group: 'nodes' as const,
      data: { ...n, short: n.label.length > 18 ? `${n.label.slice(0, 17)}…` : n.label, colour: COLOURS[n.kind], centre: n.id === graph.center ? 1 : 0, ...(grouped && own.has(n.id) ? { parent: OWN_GROUP } : {}) },
    })),
    ...graph.links.map((l) => ({
      group: 'edges' as const,
      data: { id: `${l.kind}:${[l.source, l.target].sort().join('~')}`, source: l.source, target: l.target, kind: l.kind, weight: l.weight, label: l.kind === 'SAME_LISTING' ? String(l.weight) : '' },
    })),
  ];
}

export function drawGraph(container: HTMLElement, graph: GraphData, onSelect: (node: GraphNodeData | null) => void, ownLabel?: string): GraphHandle {
  preemptInlineStylesheet();
  const cy: Core = cytoscape({
    container,
    elements: elements(graph, ownLabel),
    wheelSensitivity: 0.3,
    style: [
      { selector: 'node', style: { 'background-color': 'data(colour)', label: 'data(short)', 'font-size': 10, color: '#1f2328', 'text-valign': 'bottom', 'text-margin-y': 4, width: 18, height: 18 } },
      { selector: 'node[kind = "PLATFORM"]', style: { shape: 'round-rectangle', width: 26, height: 16 } },
      { selector: 'node[centre = 1]', style: { width: 30, height: 30, 'border-width': 3, 'border-color': '#1f2328' } },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#d29922' } },
      { selector: 'edge', style: { width: 'mapData(weight, 1, 10, 1, 5)', 'line-color': '#8c959f', 'curve-style': 'bezier', opacity: 0.7 } },
      { selector: 'edge[kind = "SAME_LISTING"]', style: { label: 'data(label)', 'font-size': 9, color: '#57606a', 'text-background-color': '#ffffff', 'text-background-opacity': 1 } },
      { selector: 'edge[kind = "REPORTED_BY"]', style: { 'line-style': 'dashed', 'line-color': '#2da44e' } },
      { selector: 'node[kind = "GROUP"]', style: { 'background-color': '#f6f8fa', 'background-opacity': 0.6, 'border-width': 1, 'border-color': '#8c959f', 'border-style': 'dashed', label: 'data(short)', 'text-valign': 'top', 'font-size': 10, shape: 'round-rectangle', padding: '12px' } },
    ],
    // Force-directed: a seller's listings make clusters, and a ring by hop hid that structure.
    layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 60 },
  });
  cy.on('tap', 'node[kind != "GROUP"]', (ev) => onSelect(ev.target.data() as GraphNodeData));
  cy.on('tap', (ev) => ev.target === cy && onSelect(null));
  return {
    add(more) {
      const fresh = elements(more).filter((el) => cy.getElementById(String(el.data['id'])).empty());
      cy.add(fresh);
      cy.layout({ name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 8000 }).run();
    },
    destroy: () => cy.destroy(),
    size: () => ({ nodes: cy.nodes('[kind != "GROUP"]').length, edges: cy.edges().length }),
  };
}
