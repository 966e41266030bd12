import { nodeExits, type WorkflowNode } from '@common/automations';
import {
  BaseEdge,
  type Edge,
  EdgeLabelRenderer,
  type EdgeProps,
  getSmoothStepPath,
  Handle,
  type Node,
  type NodeProps,
  Position,
  useReactFlow,
} from '@xyflow/react';
import { CircleAlert, X } from 'lucide-react';
import { cn, formatNumber } from '@/lib/utils';
import type { StepCounts } from '../api/types';
import { NODE_WIDTH } from '../lib/graph';
import { NODE_TYPE_INFO } from '../lib/node-types';

export interface StepData extends Record<string, unknown> {
  node: WorkflowNode;
  summary: string;
  counts: StepCounts | undefined;
  issues: string[];
  /** Position in the dry run's path (1-based), when the dry run went through this node. */
  pathIndex: number | undefined;
  /** Outcome the dry run reported at this node ("yes", "timeout" …). */
  pathOutcome: string | undefined;
  /** Exits already joined to a step (their edge carries the label). */
  connected: string[];
}
export type StepNodeType = Node<StepData, 'step'>;

function Count({ value, label, className }: { value: number; label: string; className: string }) {
  if (!value) return null;
  return (
    <span
      className={cn('rounded px-1.5 py-0.5 tabular-nums', className)}
      title={`${formatNumber(value)} ${label}`}
    >
      {formatNumber(value)} {label}
    </span>
  );
}

/** A step on the canvas: icon, type, one-line summary, per-step counts, and one handle per exit. */
export function StepNode({ id, data, selected }: NodeProps<StepNodeType>) {
  const { node, summary, counts, issues, pathIndex } = data;
  const info = NODE_TYPE_INFO[node.type];
  const Icon = info.icon;
  const exits = nodeExits(node);
  const labelled = exits.length > 1;
  return (
    <div
      data-testid={`node-${id}`}
      data-node-type={node.type}
      data-invalid={issues.length > 0 || undefined}
      data-on-path={pathIndex !== undefined || undefined}
      style={{ width: NODE_WIDTH }}
      className={cn(
        'relative rounded-lg border bg-background text-left shadow-sm transition-shadow',
        node.type === 'trigger' ? 'border-accent/50' : 'border-border',
        issues.length > 0 && 'border-destructive ring-1 ring-destructive/40',
        pathIndex !== undefined && 'border-emerald-500 ring-2 ring-emerald-400/60',
        selected && 'ring-2 ring-ring',
      )}
    >
      {node.type !== 'trigger' ? (
        <Handle
          type="target"
          position={Position.Top}
          className="!size-2.5 !border-2 !border-background !bg-zinc-400"
        />
      ) : null}
      <div className="flex items-center gap-2 border-b border-border px-3 py-2">
        <span
          className={cn(
            'flex size-6 shrink-0 items-center justify-center rounded-md',
            node.type === 'trigger' ? 'bg-accent text-accent-foreground' : 'bg-muted text-muted-foreground',
          )}
        >
          <Icon aria-hidden="true" className="size-3.5" />
        </span>
        <span className="min-w-0 flex-1 truncate text-xs font-semibold tracking-wide text-muted-foreground uppercase">
          {node.label || info.label}
        </span>
        {pathIndex !== undefined ? (
          <span
            className="rounded-full bg-emerald-600 px-1.5 text-[0.6875rem] font-semibold text-white"
            title="Step of the dry run"
          >
            {pathIndex}
          </span>
        ) : null}
        {issues.length > 0 ? (
          <CircleAlert
            aria-label={`${issues.length} problem${issues.length === 1 ? '' : 's'}`}
            className="size-4 text-destructive"
          />
        ) : null}
      </div>
      <div className="px-3 py-2 text-sm leading-snug break-words" data-testid="node-summary">
        {summary}
      </div>
      {issues.length > 0 ? (
        <p className="px-3 pb-2 text-xs text-destructive" data-testid="node-issue">
          {issues[0]}
          {issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}
        </p>
      ) : null}
      {counts && (counts.done || counts.waiting || counts.running || counts.failed) ? (
        <div
          className="flex flex-wrap gap-1 border-t border-border px-3 py-1.5 text-[0.6875rem] font-medium"
          data-testid="node-counts"
        >
          <Count value={counts.done} label="done" className="bg-success-subtle text-emerald-700" />
          <Count
            value={counts.waiting + counts.running}
            label="waiting"
            className="bg-warning-subtle text-amber-700"
          />
          <Count value={counts.failed} label="failed" className="bg-destructive-subtle text-red-700" />
        </div>
      ) : null}
      {labelled ? <div className="h-4" /> : null}
      {exits.map((exit, i) => {
        const left = `${((i + 1) / (exits.length + 1)) * 100}%`;
        return (
          <div key={exit}>
            {labelled && !data.connected.includes(exit) ? (
              <span
                className="pointer-events-none absolute bottom-1 -translate-x-1/2 text-[0.625rem] font-medium text-muted-foreground"
                style={{ left }}
              >
                {exit}
              </span>
            ) : null}
            <Handle
              type="source"
              id={exit}
              position={Position.Bottom}
              style={{ left }}
              title={labelled ? `Drag to connect “${exit}”` : 'Drag to connect the next step'}
              className="!size-3 !border-2 !border-background !bg-accent"
            />
          </div>
        );
      })}
    </div>
  );
}

export interface ExitEdgeData extends Record<string, unknown> {
  label: string | undefined;
  onPath: boolean;
  readOnly: boolean;
}
export type ExitEdgeType = Edge<ExitEdgeData, 'exit'>;

/** An edge with the exit's name (yes / no, a split branch, event / timeout) and, when selected, a delete button. */
export function ExitEdge(props: EdgeProps<ExitEdgeType>) {
  const { id, data, selected, markerEnd } = props;
  const { deleteElements } = useReactFlow();
  const [path, labelX, labelY] = getSmoothStepPath({
    sourceX: props.sourceX,
    sourceY: props.sourceY,
    targetX: props.targetX,
    targetY: props.targetY,
    sourcePosition: props.sourcePosition,
    targetPosition: props.targetPosition,
    borderRadius: 8,
  });
  const label = data?.label;
  const showDelete = selected && !data?.readOnly;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        style={{
          strokeWidth: data?.onPath || selected ? 2.5 : 1.5,
          stroke: data?.onPath ? '#10b981' : selected ? 'var(--color-accent)' : '#a1a1aa',
        }}
      />
      {label || showDelete ? (
        <EdgeLabelRenderer>
          <div
            className="nodrag nopan pointer-events-auto absolute flex items-center gap-1"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {label ? (
              <span
                data-testid={`edge-label-${id}`}
                className="rounded-full border border-border bg-background px-2 py-0.5 text-[0.6875rem] font-medium text-foreground shadow-xs"
              >
                {label}
              </span>
            ) : null}
            {showDelete ? (
              <button
                type="button"
                aria-label="Delete connection"
                onClick={() => void deleteElements({ edges: [{ id }] })}
                className="flex size-5 items-center justify-center rounded-full border border-border bg-background text-muted-foreground shadow-xs hover:text-destructive"
              >
                <X aria-hidden="true" className="size-3" />
              </button>
            ) : null}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}
