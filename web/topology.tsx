/**
 * The release as a picture: components in boxes, one column per stage (the apply order, left to
 * right), an arrow from each component to those it calls, each box coloured by its live readiness.
 * elkjs lays it out: calls are laid out from the callee to the caller, so they run with the stages,
 * and drawn with the arrowhead at the callee.
 */
import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';
import { useEffect, useState } from 'preact/hooks';
import type { ComponentState, Topology } from './types.ts';

const STAGES = ['config', 'dependencies', 'migrations', 'backends', 'frontends'];
const WIDTH = 170;
const HEIGHT = 52;
const LABEL = 26;
const PAD = 10;
const elk = new ELK();

interface Band {
  readonly stage: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

async function layout(topology: Topology): Promise<{ graph: ElkNode; bands: Band[] }> {
  // Config-only components (Secrets, ConfigMaps) have nothing to watch: the list below shows them.
  const shown = topology.components.filter((c) => c.workloads.length > 0);
  const graph: ElkNode = await elk.layout({
    id: 'release',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.partitioning.activate': 'true',
      'elk.padding': `[top=${LABEL + PAD},left=${PAD},bottom=${PAD},right=${PAD}]`,
      'elk.spacing.nodeNode': '18',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60',
      'elk.edgeRouting': 'SPLINES',
    },
    children: shown.map((c) => ({
      id: c.name,
      width: WIDTH,
      height: HEIGHT + 14 * c.services.length,
      layoutOptions: { 'elk.partitioning.partition': String(STAGES.indexOf(c.stage)) },
    })),
    edges: topology.dependencies
      .filter((d) => shown.some((c) => c.name === d.from) && shown.some((c) => c.name === d.to))
      .map((d, i) => ({ id: `e${i}`, sources: [d.to], targets: [d.from] })),
  });
  const stageOf = new Map(topology.components.map((c) => [c.name, c.stage]));
  const bands = STAGES.flatMap((stage) => {
    const nodes = (graph.children ?? []).filter((n) => stageOf.get(n.id) === stage);
    if (!nodes.length) return [];
    const x = Math.min(...nodes.map((n) => n.x ?? 0)) - PAD;
    const right = Math.max(...nodes.map((n) => (n.x ?? 0) + (n.width ?? 0))) + PAD;
    return [{ stage, x, y: PAD / 2, width: right - x, height: (graph.height ?? 0) - PAD }];
  });
  return { graph, bands };
}

export function TopologyView({
  topology,
  states,
}: {
  topology: Topology;
  states: Readonly<Record<string, ComponentState | undefined>>;
}) {
  const [laid, setLaid] = useState<{ graph: ElkNode; bands: Band[] }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    layout(topology).then(setLaid, (e: Error) => setError(e.message));
  }, [topology]);
  if (error) return <p class="error">layout failed: {error}</p>;
  if (!laid) return <p class="muted">laying out…</p>;
  const { graph, bands } = laid;
  const byName = new Map(topology.components.map((c) => [c.name, c]));
  return (
    <svg
      class="topology"
      data-testid="topology"
      width={graph.width}
      height={graph.height}
      viewBox={`0 0 ${graph.width} ${graph.height}`}
    >
      <title>components of the release by stage, with their dependencies</title>
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="10"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
        </marker>
      </defs>
      {bands.map((band) => (
        <g key={band.stage}>
          <rect class="stage" x={band.x} y={band.y} width={band.width} height={band.height} rx="6" />
          <text class="stage-label" x={band.x + 8} y={band.y + 18}>
            {band.stage}
          </text>
        </g>
      ))}
      {(graph.edges ?? []).map((edge) =>
        (edge.sections ?? []).map((section) => {
          const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
          return (
            <polyline
              key={edge.id}
              class="edge"
              marker-start="url(#arrow)"
              points={points.map((p) => `${p.x},${p.y}`).join(' ')}
            />
          );
        }),
      )}
      {(graph.children ?? []).map((node) => {
        const component = byName.get(node.id);
        const state = states[node.id] ?? (component?.workloads.length ? 'unknown' : 'none');
        return (
          <g
            key={node.id}
            transform={`translate(${node.x ?? 0},${node.y ?? 0})`}
            class={`component ${state}`}
            data-testid={`component-${node.id}`}
            data-state={state}
          >
            <rect width={node.width} height={node.height} rx="5" />
            <text x="10" y="20" class="name">
              {node.id}
            </text>
            <text x="10" y="38" class="state">
              {state === 'none' ? 'config only' : state}
            </text>
            {component?.services.map((service, i) => (
              <text key={service} x="10" y={54 + 14 * i} class="service">
                svc/{service}
              </text>
            ))}
          </g>
        );
      })}
    </svg>
  );
}
