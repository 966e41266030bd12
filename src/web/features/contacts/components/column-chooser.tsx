import { Columns3 } from 'lucide-react';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuCheckboxItem,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import type { ColumnSpec } from './columns';

/** Show or hide table columns (custom fields included). */
export function ColumnChooser({
  columns,
  isVisible,
  onToggle,
  onReset,
}: {
  columns: ColumnSpec[];
  isVisible: (column: ColumnSpec) => boolean;
  onToggle: (column: ColumnSpec, visible: boolean) => void;
  onReset: () => void;
}) {
  const standard = columns.filter((c) => !c.id.startsWith('custom.') && !c.fixed);
  const custom = columns.filter((c) => c.id.startsWith('custom.'));
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="secondary" size="sm">
          <Columns3 aria-hidden="true" />
          Columns
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="max-h-[70vh] overflow-y-auto">
        <DropdownMenuLabel>Columns</DropdownMenuLabel>
        {standard.map((c) => (
          <DropdownMenuCheckboxItem
            key={c.id}
            checked={isVisible(c)}
            onSelect={(e) => e.preventDefault()}
            onCheckedChange={(v) => onToggle(c, v === true)}
          >
            {c.label}
          </DropdownMenuCheckboxItem>
        ))}
        {custom.length > 0 ? (
          <>
            <DropdownMenuSeparator />
            <DropdownMenuLabel>Custom fields</DropdownMenuLabel>
            {custom.map((c) => (
              <DropdownMenuCheckboxItem
                key={c.id}
                checked={isVisible(c)}
                onSelect={(e) => e.preventDefault()}
                onCheckedChange={(v) => onToggle(c, v === true)}
              >
                {c.label}
              </DropdownMenuCheckboxItem>
            ))}
          </>
        ) : null}
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={onReset}>Reset to default</DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
