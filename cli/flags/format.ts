import type { AuditEntry, FlagItem } from '../../domain/flags/flag-table';
import { fractionalWeights } from '../../domain/flags/flag-edits';

/** Plain-text views of flags for the terminal (`--json` prints the data instead). */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) => cell.padEnd(widths[col]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatFlagList(items: readonly FlagItem[]): string {
  if (items.length === 0) return '(no flags)';
  const rows = items.map((item) => [
    item.key,
    item.definition.state,
    item.definition.defaultVariant ?? '-',
    fractionalWeights(item.definition)
      ?.map(([v, w]) => `${v}=${w}`)
      .join(' ') ?? '',
    String(item.version),
    item.updatedBy ?? '',
    item.updatedAt ?? '',
  ]);
  return table([['KEY', 'STATE', 'DEFAULT', 'SPLIT', 'VERSION', 'UPDATED BY', 'UPDATED AT'], ...rows]);
}

export function formatFlag(item: FlagItem): string {
  return [
    `${item.key}  (version ${item.version}, updated ${item.updatedAt ?? '?'} by ${item.updatedBy ?? '?'})`,
    JSON.stringify(item.definition, null, 2),
  ].join('\n');
}

export function formatHistory(entries: readonly AuditEntry[]): string {
  if (entries.length === 0) return '(no runtime changes since the last deploy)';
  return table([['AT', 'VERSION', 'ACTION', 'ACTOR'], ...entries.map((e) => [e.at, String(e.version), e.action, e.actor])]);
}
