/**
 * The release as a picture: components in boxes grouped by stage (apply order left to right), an
 * arrow for each dependency, each box coloured by its live readiness. elkjs lays it out.
 */
import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';
import { useEffect, useState } from 'preact/hooks';
import type { ComponentState, Topology } from './types.ts';

const STAGES = ['config', 'dependencies', 'migrations', 'backends', 'frontends'];
const WIDTH = 170;
const HEIGHT = 52;
const elk = new ELK();

interface Laid {
  readonly graph: ElkNode;
}

async function layout(topology: Topology): Promise<Laid> {
  const stages = STAGES.filter((s) => topology.components.some((c) => c.stage === s));
  const graph = await elk.layout({
    id: 'release',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.spacing.nodeNode': '18',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.partitioning.activate': 'true',
    },
    children: stages.map((stage, index) => ({
      id: `stage:${stage}`,
      layoutOptions: {
        'elk.padding': '[top=28,left=12,bottom=12,right=12]',
        'elk.partitioning.partition': String(index),
      },
      children: topology.components
        .filter((c) => c.stage === stage)
        .map((c) => ({ id: c.name, width: WIDTH, height: HEIGHT + 14 * c.services.length })),
    })),
    edges: topology.dependencies.map((d, i) => ({ id: `e${i}`, sources: [d.from], targets: [d.to] })),
  });
  return { graph };
}

export function TopologyView({
  topology,
  states,
}: {
  topology: Topology;
  states: Readonly<Record<string, ComponentState | undefined>>;
}) {
  const [laid, setLaid] = useState<Laid>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    layout(topology).then(setLaid, (e: Error) => setError(e.message));
  }, [topology]);
  if (error) return <p class="error">layout failed: {error}</p>;
  if (!laid) return <p class="muted">laying out…</p>;
  const { graph } = laid;
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
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
        </marker>
      </defs>
      {(graph.children ?? []).map((stage) => (
        <g key={stage.id} transform={`translate(${stage.x ?? 0},${stage.y ?? 0})`}>
          <rect class="stage" width={stage.width} height={stage.height} rx="6" />
          <text class="stage-label" x="10" y="18">
            {stage.id.replace('stage:', '')}
          </text>
          {(stage.children ?? []).map((node) => {
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
        </g>
      ))}
      {(graph.edges ?? []).map((edge) =>
        (edge.sections ?? []).map((section) => {
          const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
          return (
            <polyline
              key={edge.id}
              class="edge"
              marker-end="url(#arrow)"
              points={points.map((p) => `${p.x},${p.y}`).join(' ')}
            />
          );
        }),
      )}
    </svg>
  );
}
