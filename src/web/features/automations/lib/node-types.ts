import type { NodeType, TriggerType, WorkflowNode } from '@common/automations';
import {
  Bell,
  CalendarClock,
  Clock,
  Flag,
  GitBranch,
  Hourglass,
  LogOut,
  type LucideIcon,
  Mail,
  MessageSquareText,
  PenLine,
  Shuffle,
  Tag,
  TagsIcon,
  Webhook,
  Zap,
} from 'lucide-react';

export interface NodeTypeInfo {
  label: string;
  icon: LucideIcon;
  /** What the palette says about it. */
  hint: string;
  group: 'Actions' | 'Timing' | 'Logic';
}

export const NODE_TYPE_INFO: Record<NodeType, NodeTypeInfo> = {
  trigger: { label: 'Trigger', icon: Zap, hint: 'What starts the workflow', group: 'Logic' },
  send_email: { label: 'Send email', icon: Mail, hint: 'A template, once per contact', group: 'Actions' },
  add_tag: { label: 'Add tag', icon: Tag, hint: 'Tag the contact', group: 'Actions' },
  remove_tag: { label: 'Remove tag', icon: TagsIcon, hint: 'Untag the contact', group: 'Actions' },
  update_field: { label: 'Update field', icon: PenLine, hint: 'Set a contact field', group: 'Actions' },
  notify: { label: 'Notify a teammate', icon: Bell, hint: 'Email and in-app notification', group: 'Actions' },
  note: { label: 'Add a note', icon: MessageSquareText, hint: 'A note on the contact', group: 'Actions' },
  webhook: { label: 'Webhook', icon: Webhook, hint: 'POST the contact to a URL', group: 'Actions' },
  wait: { label: 'Wait', icon: Hourglass, hint: 'A duration', group: 'Timing' },
  wait_until: {
    label: 'Wait until',
    icon: CalendarClock,
    hint: 'A date or a weekly window',
    group: 'Timing',
  },
  wait_event: { label: 'Wait for event', icon: Clock, hint: 'Until it happens, at most …', group: 'Timing' },
  condition: {
    label: 'If / else',
    icon: GitBranch,
    hint: 'Branch on fields, tags, activity',
    group: 'Logic',
  },
  split: { label: 'Random split', icon: Shuffle, hint: 'Split by percentages', group: 'Logic' },
  exit: { label: 'Exit', icon: LogOut, hint: 'End the run here', group: 'Logic' },
};

export const PALETTE_GROUPS: Array<{ group: NodeTypeInfo['group']; types: NodeType[] }> = [
  {
    group: 'Actions',
    types: ['send_email', 'add_tag', 'remove_tag', 'update_field', 'notify', 'note', 'webhook'],
  },
  { group: 'Timing', types: ['wait', 'wait_until', 'wait_event'] },
  { group: 'Logic', types: ['condition', 'split', 'exit'] },
];

export const GOAL_ICON = Flag;

export const TRIGGER_LABELS: Record<TriggerType, string> = {
  'contact.created': 'Contact created',
  'contact.updated': 'Contact updated',
  'tag.added': 'Tag added',
  'tag.removed': 'Tag removed',
  'segment.entered': 'Entered a segment',
  'segment.left': 'Left a segment',
  'email.delivered': 'Email delivered',
  'email.opened': 'Email opened',
  'email.clicked': 'Link clicked',
  'email.bounced': 'Email bounced',
  'email.complained': 'Marked as spam',
  'email.unsubscribed': 'Unsubscribed',
  event: 'Custom event (API)',
  date: 'Date field',
  manual: 'Manual enrolment',
};

/**
 * A new step with sensible values where there is one; what only the user can say (the template,
 * the tag, the URL …) starts empty and is reported until it is filled in.
 */
export function defaultNode(type: NodeType, id: string): WorkflowNode {
  switch (type) {
    case 'trigger':
      return { id, type, trigger: { type: 'contact.created' } };
    case 'condition':
      return { id, type };
    case 'split':
      return {
        id,
        type,
        branches: [
          { label: 'A', percent: 50 },
          { label: 'B', percent: 50 },
        ],
      };
    case 'send_email':
      return { id, type, templateId: '' };
    case 'add_tag':
    case 'remove_tag':
      return { id, type, tag: '' };
    case 'update_field':
      return { id, type, field: '', value: '' };
    case 'wait':
      return { id, type, duration: { amount: 1, unit: 'days' } };
    case 'wait_until':
      return { id, type, window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' } };
    case 'wait_event':
      return { id, type, event: { type: 'email.clicked' }, timeout: { amount: 3, unit: 'days' } };
    case 'webhook':
      return { id, type, url: '' };
    case 'notify':
      return { id, type, message: '' };
    case 'note':
      return { id, type, body: '' };
    case 'exit':
      return { id, type };
  }
}

/** `send_email_2`: unique in the graph. */
export function newNodeId(type: NodeType, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let i = 1; ; i++) {
    const id = `${type}_${i}`;
    if (!used.has(id)) return id;
  }
}
