import type { Role } from '@common/permissions';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { roleDescription, roleLabel } from '@/lib/roles';

export interface RoleSelectProps {
  value: Role;
  roles: Role[];
  onValueChange: (role: Role) => void;
  disabled?: boolean;
  size?: 'sm' | 'md';
  id?: string;
  'aria-label'?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
  className?: string;
  withDescriptions?: boolean;
}

/** A role picker limited to `roles` (from assignableRoles). */
export function RoleSelect({
  value,
  roles,
  onValueChange,
  disabled,
  size = 'md',
  className,
  withDescriptions = false,
  ...triggerProps
}: RoleSelectProps) {
  const options = roles.includes(value) ? roles : [value, ...roles];
  return (
    <Select value={value} onValueChange={(v) => onValueChange(v as Role)} disabled={disabled}>
      <SelectTrigger size={size} className={className} {...triggerProps}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {options.map((role) => (
          <SelectItem
            key={role}
            value={role}
            disabled={!roles.includes(role)}
            description={withDescriptions ? roleDescription(role) : undefined}
          >
            {roleLabel(role)}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}
