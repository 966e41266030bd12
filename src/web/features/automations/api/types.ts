import type { NodeType, WorkflowDefinition } from '@common/automations';
import type { Body, ItemOf, Res } from '@/lib/api';

/*
 * The automations API's shapes, from the OpenAPI document (`npm run api:types`). The document
 * declares the graph loosely (nodes as `{id, type} & Record<string, unknown>`); the shared zod model
 * is its exact type, so `definition` is typed with it.
 */

export const automationsKey = (orgId: string) => ['orgs', orgId, 'automations'] as const;
export const automationKey = (orgId: string, id: string) => [...automationsKey(orgId), id] as const;
export const runKey = (orgId: string, runId: string) => ['orgs', orgId, 'automation-runs', runId] as const;

type AutomationRes = Res<'/api/v1/automations/{id}', 'get'>;

export type AutomationSummary = ItemOf<Res<'/api/v1/automations', 'get'>>;
export type Automation = Omit<AutomationRes, 'definition'> & { definition: WorkflowDefinition };
export type StepCounts = Automation['stepCounts'][string];
export type AutomationVersion = ItemOf<Res<'/api/v1/automations/{id}/versions', 'get'>>;
export type AutomationVersionDetail = Omit<
  Res<'/api/v1/automations/{id}/versions/{version}', 'get'>,
  'definition'
> & {
  definition: WorkflowDefinition;
};

type DryRunRes = Res<'/api/v1/automations/{id}/dry-run', 'post'>;
export type DryRunStep = Omit<DryRunRes['steps'][number], 'type'> & { type: NodeType };
export type DryRun = Omit<DryRunRes, 'steps'> & { steps: DryRunStep[] };
export type DryRunBody = Body<'/api/v1/automations/{id}/dry-run', 'post'>;

export type RunsPage = Res<'/api/v1/automations/{id}/runs', 'get'>;
export type RunSummary = ItemOf<RunsPage>;
type RunRes = Res<'/api/v1/runs/{id}', 'get'>;
export type RunStep = Omit<RunRes['steps'][number], 'nodeType'> & { nodeType: NodeType };
export type RunDetail = Omit<RunRes, 'steps'> & { steps: RunStep[] };

export type EnrolBody = Body<'/api/v1/automations/{id}/enrol', 'post'>;
export type EnrolResult = Res<'/api/v1/automations/{id}/enrol', 'post'>;
