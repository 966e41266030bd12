import type {
  AutomationStatus,
  GraphIssue,
  NodeType,
  RunState,
  Trigger,
  WorkflowDefinition,
} from '@common/automations';

/*
 * The automations API's shapes (contract of issue 10). Written by hand until the automations routes
 * are in the OpenAPI document (`npm run api:types`); the graph itself is the shared zod model.
 */

export const automationsKey = (orgId: string) => ['orgs', orgId, 'automations'] as const;
export const automationKey = (orgId: string, id: string) => [...automationsKey(orgId), id] as const;
export const runKey = (orgId: string, runId: string) => ['orgs', orgId, 'automation-runs', runId] as const;

export interface RunCounts {
  enrolled: number;
  active: number;
  waiting: number;
  completed: number;
  exited: number;
  failed: number;
  canceled: number;
}

export interface AutomationSummary {
  id: string;
  name: string;
  description: string | null;
  status: AutomationStatus;
  latestVersion: number;
  activeVersion: number | null;
  trigger: Trigger | null;
  triggerSummary: string;
  counts: RunCounts;
  createdAt: string;
  updatedAt: string;
}

export interface StepCounts {
  done: number;
  waiting: number;
  running: number;
  failed: number;
  skipped: number;
}

export interface Automation extends AutomationSummary {
  definition: WorkflowDefinition;
  issues: GraphIssue[];
  stepCounts: Record<string, StepCounts>;
}

export interface AutomationVersion {
  version: number;
  createdAt: string;
  createdBy: { id: string; name: string } | null;
  publishedAt: string | null;
  active: boolean;
}

export interface DryRunStep {
  nodeId: string;
  type: NodeType;
  label?: string;
  summary: string;
  outcome?: string;
  note?: string;
}

export interface DryRun {
  steps: DryRunStep[];
  end: 'completed' | 'exit' | 'goal' | 'not_enrolled';
  reason?: string;
}

export interface RunSummary {
  id: string;
  automationId: string;
  version: number;
  contact: { id: string; name: string; email: string | null };
  state: RunState;
  currentNode: string | null;
  wakeAt: string | null;
  enrolledAt: string;
  updatedAt: string;
  endedAt: string | null;
  exitReason: string | null;
  error: string | null;
}

export interface RunStep {
  nodeId: string;
  nodeType: NodeType;
  summary: string;
  state: string;
  outcome: string | null;
  result: unknown;
  error: string | null;
  attempts: number;
  startedAt: string;
  finishedAt: string | null;
}

export interface RunDetail extends RunSummary {
  automation: { id: string; name: string };
  context: unknown;
  steps: RunStep[];
}
