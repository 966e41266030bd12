import {
  describeNode,
  type NameLookup,
  type NodeType,
  nodeExits,
  type WorkflowDefinition,
  type WorkflowNode,
} from '@common/automations';
import { Link, useBlocker, useNavigate } from '@tanstack/react-router';
import {
  applyNodeChanges,
  Background,
  type Connection,
  Controls,
  type EdgeChange,
  MarkerType,
  type NodeChange,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import {
  CircleAlert,
  FlaskConical,
  History,
  ListChecks,
  MoreHorizontal,
  Pause,
  Play,
  Save,
  Settings2,
  Trash2,
  UserPlus,
  X,
} from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DisabledHint } from '@/components/ui/disabled-hint';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { Switch } from '@/components/ui/switch';
import { errorMessage, isApiError } from '@/lib/api';
import { useCan, useDisabledReason } from '@/lib/session';
import { formatDateTime } from '@/lib/utils';
import { useAutomationAction } from '../api/automation-actions';
import {
  useCampaignOptions,
  useContactFieldOptions,
  useFilterFieldOptions,
  useMemberOptions,
  useSegmentOptions,
  useTagOptions,
  useTemplateOptions,
} from '../api/builder-options';
import { useAutomationVersion, useAutomationVersions } from '../api/list-versions';
import { useDeleteAutomation, useUpdateAutomation } from '../api/save-automation';
import type { Automation, DryRun } from '../api/types';
import { autoLayout, draftIssues, NODE_WIDTH, type NodeIssue, schemaValid, toNodeIssue } from '../lib/graph';
import { defaultNode, NODE_TYPE_INFO, newNodeId, PALETTE_GROUPS } from '../lib/node-types';
import { ConditionEditor } from './condition-editor';
import { DryRunPanel } from './dry-run-panel';
import { EnrolDialog } from './enrol-dialog';
import { SelectField } from './fields';
import { type BuilderOptions, NodeForm } from './node-form';
import { AutomationStatusBadge } from './status-badge';
import { ExitEdge, type ExitEdgeType, StepNode, type StepNodeType } from './step-node';

const nodeTypes = { step: StepNode };
const edgeTypes = { exit: ExitEdge };
const LATEST = 'latest';

/** Every node with a position (auto-laid-out where missing), so saving keeps the picture. */
function withPositions(def: WorkflowDefinition): WorkflowDefinition {
  const auto = autoLayout(def);
  return {
    ...def,
    nodes: def.nodes.map((n) => (n.position ? n : { ...n, position: auto[n.id] ?? { x: 0, y: 0 } })),
  };
}

/**
 * describeNode, with a placeholder where a value is still missing (`Send email ""` reads as a bug)
 * and fields by their labels (`Renewal date`, not `custom.renewal_date`).
 */
function summarize(n: WorkflowNode, names: NameLookup, fieldLabels: Record<string, string>): string {
  if (n.type === 'send_email' && !n.templateId) return 'Send an email (choose a template)';
  if (n.type === 'webhook' && !n.url) return 'Call a webhook (no URL yet)';
  if (n.type === 'update_field' && !n.field) return 'Update a field (choose one)';
  if (n.type === 'trigger' && n.trigger.type === 'date' && !n.trigger.field)
    return 'On a date field (choose one)';
  if (n.type === 'trigger' && 'segmentId' in n.trigger && !n.trigger.segmentId)
    return n.trigger.type === 'segment.left'
      ? 'When a contact leaves a segment (choose one)'
      : 'When a contact enters a segment (choose one)';
  let text = describeNode(n, names).replace(/""/g, '“…”');
  const field =
    n.type === 'update_field'
      ? n.field
      : n.type === 'trigger' && 'field' in n.trigger
        ? n.trigger.field
        : undefined;
  if (field && fieldLabels[field]) text = text.replace(field, fieldLabels[field]);
  return text;
}

function useBuilderOptions(orgId: string): {
  options: BuilderOptions;
  names: NameLookup;
  fieldLabels: Record<string, string>;
} {
  const templates = useTemplateOptions(orgId);
  const segments = useSegmentOptions(orgId);
  const campaigns = useCampaignOptions(orgId);
  const members = useMemberOptions(orgId);
  const fields = useContactFieldOptions(orgId);
  const filterFields = useFilterFieldOptions(orgId);
  const tags = useTagOptions(orgId);
  return React.useMemo(() => {
    const options: BuilderOptions = {
      templates: (templates.data ?? []).map((t) => ({ value: t.id, label: t.name })),
      segments: (segments.data ?? []).map((s) => ({ value: s.id, label: s.name })),
      campaigns: (campaigns.data ?? []).map((c) => ({ value: c.id, label: c.name })),
      members: (members.data ?? []).map((m) => ({
        value: m.userId,
        label: m.name || m.email,
        description: m.email,
      })),
      dateFields: (fields.data ?? [])
        .filter((f) => f.type === 'date')
        .map((f) => ({ value: `custom.${f.key}`, label: f.label })),
      filterFields: filterFields.data ?? [],
      tags: (tags.data ?? []).map((t) => t.name),
    };
    const map = (list: { value: string; label: string }[]) =>
      Object.fromEntries(list.map((c) => [c.value, c.label]));
    return {
      options,
      fieldLabels: Object.fromEntries(options.filterFields.map((f) => [f.field, f.label])),
      names: {
        templates: map(options.templates),
        segments: map(options.segments),
        campaigns: map(options.campaigns),
        members: map(options.members),
      },
    };
  }, [
    templates.data,
    segments.data,
    campaigns.data,
    members.data,
    fields.data,
    filterFields.data,
    tags.data,
  ]);
}

function Palette({ onAdd, disabled }: { onAdd: (type: NodeType) => void; disabled: boolean }) {
  return (
    <nav aria-label="Add a step" className="grid content-start gap-4 overflow-y-auto p-3">
      {PALETTE_GROUPS.map(({ group, types }) => (
        <div key={group} className="grid gap-1">
          <h3 className="px-1 text-xs font-medium tracking-wide text-muted-foreground uppercase">{group}</h3>
          {types.map((type) => {
            const info = NODE_TYPE_INFO[type];
            const Icon = info.icon;
            return (
              <button
                key={type}
                type="button"
                disabled={disabled}
                onClick={() => onAdd(type)}
                aria-label={`Add step: ${info.label}`}
                data-testid={`palette-${type}`}
                className="flex items-start gap-2 rounded-md px-2 py-1.5 text-left text-sm outline-none hover:bg-muted focus-visible:ring-2 focus-visible:ring-ring disabled:pointer-events-none disabled:opacity-50"
              >
                <Icon aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-muted-foreground" />
                <span className="grid">
                  <span className="font-medium">{info.label}</span>
                  <span className="text-xs text-muted-foreground">{info.hint}</span>
                </span>
              </button>
            );
          })}
        </div>
      ))}
      <p className="px-1 text-xs text-muted-foreground">
        A new step is joined to the selected one (or to the last step with a free exit). Drag from a step’s
        bottom handle to another step to connect; select a step or connection and press Delete to remove it.
      </p>
    </nav>
  );
}

function IssuesList({ issues, onPick }: { issues: NodeIssue[]; onPick: (nodeId: string) => void }) {
  if (issues.length === 0) return null;
  return (
    <Alert
      variant="warning"
      title={`${issues.length} thing${issues.length === 1 ? '' : 's'} to fix before activating`}
      data-testid="builder-issues"
    >
      <ul className="grid gap-0.5">
        {issues.slice(0, 8).map((issue, i) => (
          <li key={i}>
            {issue.nodeId ? (
              <button
                type="button"
                className="text-left underline-offset-2 hover:underline"
                onClick={() => onPick(issue.nodeId!)}
              >
                {issue.message}
              </button>
            ) : (
              issue.message
            )}
          </li>
        ))}
        {issues.length > 8 ? <li>… and {issues.length - 8} more</li> : null}
      </ul>
    </Alert>
  );
}

/**
 * The visual builder: toolbar (name, save, activate / pause, versions, dry run, enrol, runs), the
 * palette, the canvas, and a side panel for the selected step or the dry run.
 */
export function AutomationBuilder(props: { orgId: string; automation: Automation }) {
  return (
    <ReactFlowProvider>
      <Builder {...props} />
    </ReactFlowProvider>
  );
}

function Builder({ orgId, automation }: { orgId: string; automation: Automation }) {
  const canWrite = useCan('automations:write');
  const cannot = useDisabledReason('automations:write', 'change automations');
  const navigate = useNavigate();
  const { options, names, fieldLabels } = useBuilderOptions(orgId);
  const update = useUpdateAutomation(orgId);
  const action = useAutomationAction(orgId);
  const remove = useDeleteAutomation(orgId);
  const versions = useAutomationVersions(orgId, automation.id);
  const flow = useReactFlow();

  // The saved state the draft is compared with, and the draft itself.
  const [baseline, setBaseline] = React.useState(() => ({
    name: automation.name,
    definition: withPositions(automation.definition),
  }));
  const [draft, setDraft] = React.useState<WorkflowDefinition>(baseline.definition);
  const [name, setName] = React.useState(automation.name);
  const [viewVersion, setViewVersion] = React.useState<number | null>(null);
  const older = useAutomationVersion(orgId, automation.id, viewVersion);
  const [selectedId, setSelectedId] = React.useState<string | null>(null);
  const [selectedEdge, setSelectedEdge] = React.useState<string | null>(null);
  // The side panel shows the dry run, the workflow's settings, or else the selected step.
  const [panel, setPanel] = React.useState<'dryrun' | 'settings' | null>(null);
  const dryRunOpen = panel === 'dryrun';
  const setDryRunOpen = (open: boolean) => setPanel(open ? 'dryrun' : null);
  const [dryRun, setDryRun] = React.useState<DryRun | null>(null);
  const [enrolOpen, setEnrolOpen] = React.useState(false);
  const [deleteOpen, setDeleteOpen] = React.useState(false);
  const [activationIssues, setActivationIssues] = React.useState<NodeIssue[]>([]);

  const leaving = React.useRef(false);
  const viewingOld = viewVersion !== null;
  const readOnly = !canWrite || viewingOld;
  // Memoised: the canvas effect below depends on it, a new object per render would loop.
  const olderDefinition = older.data?.definition;
  const shown = React.useMemo<WorkflowDefinition | undefined>(
    () => (viewingOld ? (olderDefinition ? withPositions(olderDefinition) : undefined) : draft),
    [viewingOld, olderDefinition, draft],
  );
  const dirty =
    name.trim() !== baseline.name || JSON.stringify(draft) !== JSON.stringify(baseline.definition);

  // Leaving with unsaved changes asks first (in the app and when the tab closes).
  const dirtyRef = React.useRef(false);
  dirtyRef.current = dirty && canWrite && !leaving.current;
  const blocker = useBlocker({
    shouldBlockFn: () => dirtyRef.current,
    enableBeforeUnload: () => dirtyRef.current,
    withResolver: true,
  });

  // Problems: the draft's own (schema + graph), plus the server's for the saved graph.
  const issues = React.useMemo(() => {
    if (viewingOld) return [];
    const own = draftIssues(draft);
    const server = dirty ? [] : automation.issues.map((i) => toNodeIssue(draft, i));
    const all = [...own, ...server, ...(dirty ? [] : activationIssues)];
    const seen = new Set<string>();
    return all.filter((i) => {
      const k = `${i.nodeId}\u0000${i.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }, [draft, dirty, automation.issues, activationIssues, viewingOld]);
  const issuesByNode = React.useMemo(() => {
    const m = new Map<string, string[]>();
    for (const i of issues) if (i.nodeId) m.set(i.nodeId, [...(m.get(i.nodeId) ?? []), i.message]);
    return m;
  }, [issues]);

  const path = React.useMemo(() => {
    const m = new Map<string, { index: number; outcome: string | undefined }>();
    if (!dryRun || !dryRunOpen || viewingOld) return m;
    dryRun.steps.forEach((s, i) => {
      if (!m.has(s.nodeId)) m.set(s.nodeId, { index: i + 1, outcome: s.outcome });
    });
    return m;
  }, [dryRun, dryRunOpen, viewingOld]);

  const summaries = React.useMemo(
    () => new Map((shown?.nodes ?? []).map((n) => [n.id, summarize(n, names, fieldLabels)])),
    [shown, names, fieldLabels],
  );

  // Canvas nodes: rebuilt from the shown graph, keeping what React Flow measured.
  const [nodes, setNodes] = React.useState<StepNodeType[]>([]);
  React.useEffect(() => {
    if (!shown) return;
    setNodes((prev) => {
      const byId = new Map(prev.map((n) => [n.id, n]));
      return shown.nodes.map((n) => {
        const p = byId.get(n.id);
        const at = path.get(n.id);
        return {
          ...(p ?? {}),
          id: n.id,
          type: 'step' as const,
          position: n.position ?? p?.position ?? { x: 0, y: 0 },
          selected: n.id === selectedId,
          deletable: !readOnly && n.type !== 'trigger',
          connectable: !readOnly,
          data: {
            node: n,
            summary: summarize(n, names, fieldLabels),
            counts: viewingOld ? undefined : automation.stepCounts[n.id],
            issues: issuesByNode.get(n.id) ?? [],
            pathIndex: at?.index,
            pathOutcome: at?.outcome,
            connected: shown.edges.filter((e) => e.from === n.id).map((e) => e.exit),
          },
        };
      });
    });
  }, [
    shown,
    names,
    fieldLabels,
    automation.stepCounts,
    issuesByNode,
    path,
    selectedId,
    readOnly,
    viewingOld,
  ]);

  const edges = React.useMemo<ExitEdgeType[]>(() => {
    if (!shown) return [];
    const byId = new Map(shown.nodes.map((n) => [n.id, n]));
    return shown.edges.map((e) => {
      const from = byId.get(e.from);
      const exits = from ? nodeExits(from) : [];
      const id = `${e.from}:${e.exit}`;
      const onPath = path.has(e.from) && path.has(e.to) && (path.get(e.from)?.outcome ?? e.exit) === e.exit;
      return {
        id,
        type: 'exit' as const,
        source: e.from,
        sourceHandle: e.exit,
        target: e.to,
        selected: id === selectedEdge,
        deletable: !readOnly,
        markerEnd: {
          type: MarkerType.ArrowClosed,
          width: 16,
          height: 16,
          color: onPath ? '#10b981' : '#a1a1aa',
        },
        data: { label: exits.length > 1 || e.exit !== 'next' ? e.exit : undefined, onPath, readOnly },
      };
    });
  }, [shown, selectedEdge, readOnly, path]);

  // ---- editing ----------------------------------------------------------------------------------

  const patchNode = (id: string, next: WorkflowNode) =>
    setDraft((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === id ? next : n)) }));

  const renameExit = (nodeId: string, from: string, to: string) =>
    setDraft((d) => ({
      ...d,
      edges: d.edges.map((e) => (e.from === nodeId && e.exit === from ? { ...e, exit: to } : e)),
    }));

  const removeNodes = (ids: string[]) => {
    const gone = new Set(ids.filter((id) => draft.nodes.find((n) => n.id === id)?.type !== 'trigger'));
    if (gone.size === 0) return;
    setDraft((d) => ({
      ...d,
      nodes: d.nodes.filter((n) => !gone.has(n.id)),
      edges: d.edges.filter((e) => !gone.has(e.from) && !gone.has(e.to)),
    }));
    if (selectedId && gone.has(selectedId)) setSelectedId(null);
  };

  const removeEdges = (ids: string[]) => {
    const gone = new Set(ids);
    setDraft((d) => ({ ...d, edges: d.edges.filter((e) => !gone.has(`${e.from}:${e.exit}`)) }));
    setSelectedEdge(null);
  };

  const addNode = (type: NodeType) => {
    const id = newNodeId(
      type,
      draft.nodes.map((n) => n.id),
    );
    // After the selected step; with nothing selected, after the newest step that has a free exit
    // (on a new workflow: the trigger), so steps added one after another form a chain.
    const hasFreeExit = (n: WorkflowNode) =>
      nodeExits(n).some((x) => !draft.edges.some((e) => e.from === n.id && e.exit === x));
    const from =
      draft.nodes.find((n) => n.id === selectedId) ?? [...draft.nodes].reverse().find(hasFreeExit) ?? null;
    const freeExit = from
      ? nodeExits(from).find((x) => !draft.edges.some((e) => e.from === from.id && e.exit === x))
      : undefined;
    const lowest = draft.nodes.reduce((m, n) => Math.max(m, n.position?.y ?? 0), 0);
    const base = from?.position ?? { x: 0, y: lowest };
    const exitIndex = from && freeExit ? nodeExits(from).indexOf(freeExit) : 0;
    const spread =
      from && nodeExits(from).length > 1
        ? (exitIndex - (nodeExits(from).length - 1) / 2) * (NODE_WIDTH + 60)
        : 0;
    const node = {
      ...defaultNode(type, id),
      position: { x: base.x + spread, y: base.y + 190 },
    } as WorkflowNode;
    setDraft((d) => ({
      ...d,
      nodes: [...d.nodes, node],
      edges: from && freeExit ? [...d.edges, { from: from.id, to: id, exit: freeExit }] : d.edges,
    }));
    setSelectedId(id);
    setDryRunOpen(false);
    // Show the whole graph with the new step (every step stays on screen and clickable).
    window.setTimeout(() => void flow.fitView({ padding: 0.2, maxZoom: 1, duration: 250 }), 50);
  };

  const onNodesChange = (changes: NodeChange<StepNodeType>[]) => {
    setNodes((nds) =>
      applyNodeChanges(
        changes.filter((c) => c.type !== 'remove' && c.type !== 'select'),
        nds,
      ),
    );
    const moved = changes.filter((c) => c.type === 'position' && c.position && !c.dragging);
    if (moved.length && !readOnly) {
      setDraft((d) => ({
        ...d,
        nodes: d.nodes.map((n) => {
          const c = moved.find((m) => m.type === 'position' && m.id === n.id);
          return c && c.type === 'position' && c.position
            ? { ...n, position: { x: Math.round(c.position.x), y: Math.round(c.position.y) } }
            : n;
        }),
      }));
    }
    for (const c of changes) {
      if (c.type === 'select') {
        if (c.selected) {
          setSelectedId(c.id);
          setSelectedEdge(null);
          setDryRunOpen(false);
        } else setSelectedId((s) => (s === c.id ? null : s));
      }
    }
    const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
    if (removed.length && !readOnly) removeNodes(removed);
  };

  const onEdgesChange = (changes: EdgeChange<ExitEdgeType>[]) => {
    for (const c of changes) {
      if (c.type === 'select') setSelectedEdge((s) => (c.selected ? c.id : s === c.id ? null : s));
    }
    const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
    if (removed.length && !readOnly) removeEdges(removed);
  };

  const connectExit = (from: string, exit: string, to: string | undefined) =>
    setDraft((d) => ({
      ...d,
      edges: [
        ...d.edges.filter((e) => !(e.from === from && e.exit === exit)),
        ...(to ? [{ from, to, exit }] : []),
      ],
    }));

  const onConnect = (c: Connection) => {
    if (readOnly || !c.source || !c.target || c.source === c.target) return;
    const exit = c.sourceHandle ?? 'next';
    setDraft((d) => ({
      ...d,
      // Each exit leads to one step: connecting it again moves it.
      edges: [
        ...d.edges.filter((e) => !(e.from === c.source && e.exit === exit)),
        { from: c.source, to: c.target, exit },
      ],
    }));
  };

  const isValidConnection = (c: Connection | { source: string; target: string }) => {
    if (c.source === c.target) return false;
    return draft.nodes.find((n) => n.id === c.target)?.type !== 'trigger';
  };

  // ---- saving -----------------------------------------------------------------------------------

  const adopt = (a: Automation) => {
    const next = { name: a.name, definition: withPositions(a.definition) };
    setBaseline(next);
    setDraft(next.definition);
    setName(a.name);
  };

  const save = async (): Promise<Automation | null> => {
    if (!schemaValid(draft)) {
      toast.error('Finish the highlighted steps first', {
        description: 'Some steps are missing a value (a template, a tag, a URL …).',
      });
      return null;
    }
    try {
      const trimmed = name.trim() || baseline.name;
      const a = await update.mutateAsync({ id: automation.id, name: trimmed, definition: draft });
      adopt(a);
      setActivationIssues([]);
      return a;
    } catch (error) {
      const serverIssues = isApiError(error) ? error.issues : [];
      if (serverIssues.length) setActivationIssues(serverIssues.map((i) => toNodeIssue(draft, i)));
      toast.error('Could not save the automation', { description: errorMessage(error) });
      return null;
    }
  };

  const onSave = async () => {
    const a = await save();
    if (a)
      toast.success(
        a.latestVersion !== automation.latestVersion ? `Saved as version ${a.latestVersion}` : 'Saved',
      );
  };

  const onActivate = async () => {
    if (dirty && !(await save())) return;
    action.mutate(
      { id: automation.id, action: 'activate' },
      {
        onSuccess: (a) => {
          adopt(a);
          setActivationIssues([]);
          toast.success(automation.status === 'paused' ? 'Automation resumed' : 'Automation activated');
        },
        onError: (error) => {
          if (isApiError(error) && error.issues.length) {
            setActivationIssues(error.issues.map((i) => toNodeIssue(draft, i)));
            toast.error('Fix the problems before activating', { description: error.issues[0]!.message });
          } else toast.error('Could not activate the automation', { description: errorMessage(error) });
        },
      },
    );
  };

  const onPause = () =>
    action.mutate(
      { id: automation.id, action: 'pause' },
      {
        onSuccess: () =>
          toast.success('Automation paused', {
            description: 'No new enrolments; due steps wait until you activate it again.',
          }),
        onError: (error) =>
          toast.error('Could not pause the automation', { description: errorMessage(error) }),
      },
    );

  const onDelete = () =>
    remove.mutate(
      { id: automation.id },
      {
        onSuccess: () => {
          leaving.current = true;
          dirtyRef.current = false;
          toast.success('Automation deleted');
          void navigate({ to: '/automations' });
        },
        onError: (error) =>
          toast.error('Could not delete the automation', { description: errorMessage(error) }),
      },
    );

  const pickNode = (id: string) => {
    setSelectedId(id);
    setSelectedEdge(null);
    setDryRunOpen(false);
  };

  const selected = !viewingOld
    ? draft.nodes.find((n) => n.id === selectedId)
    : shown?.nodes.find((n) => n.id === selectedId);
  const selectedIssues = selected ? (issuesByNode.get(selected.id) ?? []) : [];
  const active = automation.status === 'active';
  const busy = update.isPending || action.isPending;

  return (
    <div className="grid gap-3">
      {/* Toolbar */}
      <div className="flex flex-wrap items-center gap-2" role="toolbar" aria-label="Automation">
        <Link
          to="/automations"
          className="text-sm text-muted-foreground hover:text-foreground hover:underline"
        >
          Automations
        </Link>
        <span aria-hidden="true" className="text-muted-foreground">
          /
        </span>
        <Input
          aria-label="Automation name"
          value={name}
          maxLength={200}
          readOnly={readOnly}
          onChange={(e) => setName(e.target.value)}
          className="h-8 w-64 font-semibold"
        />
        <AutomationStatusBadge status={automation.status} />
        {dirty && !viewingOld ? (
          <span className="text-xs text-muted-foreground" data-testid="unsaved">
            Unsaved changes
          </span>
        ) : null}
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <Select
            value={viewVersion === null ? LATEST : String(viewVersion)}
            onValueChange={(v) => {
              setViewVersion(v === LATEST ? null : Number(v));
              setSelectedId(null);
              setDryRunOpen(false);
            }}
          >
            <SelectTrigger size="sm" className="w-auto min-w-40" aria-label="Version history">
              <History aria-hidden="true" className="size-3.5 text-muted-foreground" />
              <SelectValue />
            </SelectTrigger>
            <SelectContent align="end">
              <SelectItem value={LATEST}>
                Version {automation.latestVersion} (latest
                {automation.activeVersion === automation.latestVersion ? ', active' : ''})
              </SelectItem>
              {(versions.data ?? [])
                .filter((v) => v.version !== automation.latestVersion)
                .sort((a, b) => b.version - a.version)
                .map((v) => (
                  <SelectItem
                    key={v.version}
                    value={String(v.version)}
                    description={`${formatDateTime(v.createdAt)}${v.createdBy ? ` · ${v.createdBy.name}` : ''}${v.publishedAt ? ' · published' : ''}`}
                  >
                    Version {v.version}
                    {v.active ? ' (active)' : ''}
                  </SelectItem>
                ))}
            </SelectContent>
          </Select>
          <Button variant="secondary" size="sm" asChild>
            <Link to="/automations/$id/runs" params={{ id: automation.id }}>
              <ListChecks aria-hidden="true" />
              Runs
            </Link>
          </Button>
          <Button
            variant="secondary"
            size="sm"
            aria-pressed={panel === 'settings'}
            onClick={() => {
              setPanel(panel === 'settings' ? null : 'settings');
              setSelectedId(null);
              setViewVersion(null);
            }}
          >
            <Settings2 aria-hidden="true" />
            Settings
          </Button>
          <Button
            variant="secondary"
            size="sm"
            onClick={() => {
              setDryRunOpen(true);
              setSelectedId(null);
              setViewVersion(null);
            }}
          >
            <FlaskConical aria-hidden="true" />
            Dry run
          </Button>
          <DisabledHint
            reason={cannot ?? (!active ? 'Activate the automation to enrol contacts.' : undefined)}
            align="end"
          >
            <Button
              variant="secondary"
              size="sm"
              disabled={!canWrite || !active}
              onClick={() => setEnrolOpen(true)}
            >
              <UserPlus aria-hidden="true" />
              Enrol contacts
            </Button>
          </DisabledHint>
          <DisabledHint reason={cannot} align="end">
            <Button
              variant="secondary"
              size="sm"
              disabled={readOnly || !dirty}
              loading={update.isPending}
              onClick={() => void onSave()}
            >
              <Save aria-hidden="true" />
              Save
            </Button>
          </DisabledHint>
          <DisabledHint reason={cannot} align="end">
            {active ? (
              <Button
                variant="secondary"
                size="sm"
                disabled={!canWrite || busy}
                loading={action.isPending}
                onClick={onPause}
              >
                <Pause aria-hidden="true" />
                Pause
              </Button>
            ) : (
              <Button
                size="sm"
                disabled={!canWrite || busy || viewingOld}
                loading={action.isPending}
                onClick={() => void onActivate()}
              >
                <Play aria-hidden="true" />
                {automation.status === 'paused' ? 'Resume' : 'Activate'}
              </Button>
            )}
          </DisabledHint>
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button variant="ghost" size="icon" aria-label="More actions" disabled={!canWrite}>
                <MoreHorizontal aria-hidden="true" />
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="end">
              <DropdownMenuItem destructive onSelect={() => setDeleteOpen(true)}>
                <Trash2 aria-hidden="true" />
                Delete automation
              </DropdownMenuItem>
            </DropdownMenuContent>
          </DropdownMenu>
        </div>
      </div>

      {viewingOld ? (
        <Alert variant="info" title={`Viewing version ${viewVersion} (read-only)`}>
          Runs that started on this version finish on it.{' '}
          <button type="button" className="font-medium underline" onClick={() => setViewVersion(null)}>
            Back to the latest version
          </button>
        </Alert>
      ) : !canWrite ? (
        <Alert variant="info">{cannot}</Alert>
      ) : active && dirty ? (
        <Alert variant="info">
          This automation is active: saving makes a new version that new enrolments use at once; running ones
          finish on theirs.
        </Alert>
      ) : null}
      {!viewingOld ? <IssuesList issues={issues} onPick={pickNode} /> : null}

      <div className="grid h-[calc(100dvh-11rem)] min-h-[32rem] grid-cols-[13rem_1fr] overflow-hidden rounded-lg border border-border bg-background lg:grid-cols-[14rem_1fr_auto]">
        <div className="overflow-y-auto border-r border-border bg-subtle">
          <Palette onAdd={addNode} disabled={readOnly} />
        </div>
        <div className="relative min-w-0" data-testid="automation-canvas">
          {shown ? (
            <ReactFlow<StepNodeType, ExitEdgeType>
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              edgeTypes={edgeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              isValidConnection={isValidConnection}
              onPaneClick={() => {
                setSelectedId(null);
                setSelectedEdge(null);
              }}
              nodesDraggable={!readOnly}
              nodesConnectable={!readOnly}
              edgesFocusable={!readOnly}
              deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']}
              fitView
              fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
              minZoom={0.2}
              maxZoom={1.5}
              proOptions={{ hideAttribution: true }}
            >
              <Background gap={20} size={1} />
              <Controls showInteractive={false} />
            </ReactFlow>
          ) : (
            <div
              className="flex h-full items-center justify-center text-sm text-muted-foreground"
              role="status"
            >
              {older.isError ? errorMessage(older.error) : 'Loading version…'}
            </div>
          )}
        </div>
        {panel || selected ? (
          <aside
            aria-label={dryRunOpen ? 'Dry run' : panel === 'settings' ? 'Workflow settings' : 'Step settings'}
            className="col-span-2 w-full overflow-y-auto border-t border-border p-4 lg:col-span-1 lg:w-96 lg:border-t-0 lg:border-l"
          >
            {dryRunOpen ? (
              <DryRunPanel
                defaultEventType={triggerEventType(draft)}
                orgId={orgId}
                automationId={automation.id}
                dirty={dirty}
                result={dryRun}
                onResult={setDryRun}
                onClose={() => setDryRunOpen(false)}
              />
            ) : panel === 'settings' ? (
              <WorkflowSettingsPanel
                settings={draft.settings}
                options={options}
                disabled={readOnly}
                onChange={(settings) => setDraft((d) => ({ ...d, settings }))}
                onClose={() => setPanel(null)}
              />
            ) : selected ? (
              <section
                className="grid gap-4"
                data-testid="node-panel"
                aria-label={`${NODE_TYPE_INFO[selected.type].label} settings`}
              >
                <div className="flex items-center gap-2">
                  {React.createElement(NODE_TYPE_INFO[selected.type].icon, {
                    'aria-hidden': true,
                    className: 'size-4 text-muted-foreground',
                  })}
                  <h2 className="text-sm font-semibold">{NODE_TYPE_INFO[selected.type].label}</h2>
                  <span className="font-mono text-xs text-muted-foreground">{selected.id}</span>
                  <Button
                    variant="ghost"
                    size="icon"
                    className="ml-auto"
                    aria-label="Close step settings"
                    onClick={() => setSelectedId(null)}
                  >
                    <X aria-hidden="true" />
                  </Button>
                </div>
                {selectedIssues.length ? (
                  <ul
                    className="grid gap-1 rounded-md border border-red-200 bg-destructive-subtle px-3 py-2 text-[0.8125rem] text-red-900"
                    role="alert"
                  >
                    {selectedIssues.map((m, i) => (
                      <li key={i} className="flex items-start gap-1.5">
                        <CircleAlert aria-hidden="true" className="mt-0.5 size-3.5 shrink-0" />
                        {m}
                      </li>
                    ))}
                  </ul>
                ) : null}
                <NodeForm
                  key={selected.id}
                  orgId={orgId}
                  node={selected}
                  options={options}
                  disabled={readOnly}
                  onChange={(next) => patchNode(selected.id, next)}
                  onRenameExit={(from, to) => renameExit(selected.id, from, to)}
                />
                {shown ? (
                  <ExitsEditor
                    node={selected}
                    def={shown}
                    summaries={summaries}
                    disabled={readOnly}
                    onConnect={(exit, to) => connectExit(selected.id, exit, to)}
                  />
                ) : null}
                {!viewingOld && automation.stepCounts[selected.id] ? (
                  <StepCountsLine counts={automation.stepCounts[selected.id]!} />
                ) : null}
                {selected.type !== 'trigger' ? (
                  <Button
                    variant="destructive-ghost"
                    size="sm"
                    className="justify-self-start"
                    disabled={readOnly}
                    onClick={() => removeNodes([selected.id])}
                  >
                    <Trash2 aria-hidden="true" />
                    Delete step
                  </Button>
                ) : null}
              </section>
            ) : null}
          </aside>
        ) : null}
      </div>

      <ConfirmDialog
        open={blocker.status === 'blocked'}
        onOpenChange={(open) => (open ? undefined : blocker.reset?.())}
        title="Leave without saving?"
        description="Your changes to this automation are not saved yet."
        confirmLabel="Leave without saving"
        cancelLabel="Stay"
        onConfirm={() => blocker.proceed?.()}
      />
      <EnrolDialog
        orgId={orgId}
        automationId={automation.id}
        segments={options.segments}
        open={enrolOpen}
        onOpenChange={setEnrolOpen}
      />
      <ConfirmDialog
        open={deleteOpen}
        onOpenChange={setDeleteOpen}
        title="Delete this automation?"
        description="The workflow, its versions and the history of its runs are deleted. Running contacts stop where they are."
        confirmLabel="Delete automation"
        pending={remove.isPending}
        onConfirm={onDelete}
      />
    </div>
  );
}

/** The event type a dry run is given by default: the trigger's, when the trigger is an event. */
function triggerEventType(def: WorkflowDefinition): string | undefined {
  const t = def.nodes.find((n) => n.type === 'trigger');
  if (t?.type !== 'trigger') return undefined;
  const type = t.trigger.type;
  if (type === 'event') return 'event.custom';
  if (type.startsWith('email.') || type === 'tag.added' || type === 'tag.removed') return type;
  return undefined;
}

/** The exits of a step and where each leads: the keyboard's way to connect (dragging needs a pointer). */
function ExitsEditor({
  node,
  def,
  summaries,
  disabled,
  onConnect,
}: {
  node: WorkflowNode;
  def: WorkflowDefinition;
  summaries: Map<string, string>;
  disabled: boolean;
  onConnect: (exit: string, to: string | undefined) => void;
}) {
  const exits = nodeExits(node);
  if (exits.length === 0) return null;
  const targets = def.nodes
    .filter((n) => n.id !== node.id && n.type !== 'trigger')
    .map((n) => ({
      value: n.id,
      label: `${NODE_TYPE_INFO[n.type].label}: ${summaries.get(n.id) ?? n.id}`,
      description: n.id,
    }));
  const labelOf = (exit: string) =>
    exits.length === 1 ? 'Next step' : node.type === 'condition' ? `If ${exit}, go to` : `“${exit}” goes to`;
  return (
    <fieldset className="grid gap-3 border-t border-border pt-4">
      <legend className="sr-only">Connections</legend>
      {exits.map((exit) => (
        <SelectField
          key={exit}
          label={labelOf(exit)}
          value={def.edges.find((e) => e.from === node.id && e.exit === exit)?.to}
          none="Nothing (the run ends)"
          choices={targets}
          disabled={disabled}
          onChange={(to) => onConnect(exit, to)}
        />
      ))}
    </fieldset>
  );
}

function WorkflowSettingsPanel({
  settings,
  options,
  disabled,
  onChange,
  onClose,
}: {
  settings: WorkflowDefinition['settings'];
  options: BuilderOptions;
  disabled: boolean;
  onChange: (s: WorkflowDefinition['settings']) => void;
  onClose: () => void;
}) {
  return (
    <section className="grid gap-5" aria-label="Workflow settings" data-testid="settings-panel">
      <div className="flex items-center gap-2">
        <Settings2 aria-hidden="true" className="size-4 text-muted-foreground" />
        <h2 className="text-sm font-semibold">Workflow settings</h2>
        <Button
          variant="ghost"
          size="icon"
          className="ml-auto"
          aria-label="Close workflow settings"
          onClick={onClose}
        >
          <X aria-hidden="true" />
        </Button>
      </div>
      <div className="flex items-start gap-3">
        <Switch
          id="workflow-reentry"
          checked={settings.reentry}
          disabled={disabled}
          onCheckedChange={(reentry) => onChange({ ...settings, reentry })}
        />
        <div className="grid gap-1">
          <Label htmlFor="workflow-reentry">Contacts can go through again</Label>
          <p className="text-[0.8125rem] text-muted-foreground">
            Off: a contact runs this workflow once. On: again after their earlier run ended. Never two runs at
            a time.
          </p>
        </div>
      </div>
      <div className="grid gap-2">
        <ConditionEditor
          legend="Goal: end runs early when the contact matches"
          filter={settings.goal ?? undefined}
          rules={undefined}
          withRules={false}
          fields={options.filterFields}
          campaigns={options.campaigns}
          disabled={disabled}
          onChange={({ filter }) => {
            const { goal: _g, ...rest } = settings;
            onChange(filter ? { ...rest, goal: filter } : rest);
          }}
        />
        <p className="text-[0.8125rem] text-muted-foreground">
          Runs stop as “goal reached” as soon as the contact matches, e.g. they bought or have the tag
          “customer”.
        </p>
      </div>
    </section>
  );
}

function StepCountsLine({ counts }: { counts: Automation['stepCounts'][string] }) {
  return (
    <p className="text-[0.8125rem] text-muted-foreground" data-testid="step-counts">
      All versions: {counts.done} done · {counts.waiting + counts.running} waiting · {counts.failed} failed
      {counts.skipped ? ` · ${counts.skipped} skipped` : ''}
    </p>
  );
}
