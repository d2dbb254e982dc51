import type { AuditEntry, FlagItem } from '../../domain/flags/flag-table';
import { fractionalWeights } from '../../domain/flags/flag-edits';
import { describeReading } from '../../domain/rollouts/decide';
import { describeChange } from '../../domain/rollouts/apply-change';
import type { StoredSchedule } from '../../domain/rollouts/rollout-table';
import type { RolloutActionResult, RolloutStatusView, ScheduleResult } from './rollouts';

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

const weightsText = (weights: ReadonlyArray<readonly [string, number]> | null | undefined): string =>
  weights ? weights.map(([v, w]) => `${v}=${w}`).join(' ') : '(no split)';

/** A duration in the largest two units, e.g. `3 d 4 h`, `12 min`. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

export function formatRolloutAction(result: RolloutActionResult, actor: string): string {
  const { flag, state } = result;
  const plan = `step ${state.step + 1} at ${state.percent}%`;
  switch (result.action) {
    case 'start':
      return `rollout of ${flag} started by ${actor}: ${plan}, split ${weightsText(result.weights)} (flag version ${result.flagVersion}); live within 5 s, the rollout controller takes it from here`;
    case 'pause':
      return `rollout of ${flag} paused at ${plan} by ${actor}: the split stays as it is, the controller holds until \`monoenv flags rollout resume ${flag}\``;
    case 'resume':
      return `rollout of ${flag} resumed at ${plan} by ${actor}, from flag version ${result.flagVersion}: the step's minimum time and users count from now`;
    case 'abort':
      return `rollout of ${flag} aborted by ${actor}: split ${weightsText(result.weights)} (flag version ${result.flagVersion}); live within 5 s`;
  }
}

export function formatRolloutStatus(view: RolloutStatusView): string {
  const { plan, state } = view;
  const active = state?.status === 'running' || state?.status === 'paused';
  const where = view.step
    ? active
      ? `, step ${view.step.index + 1} of ${view.step.of} at ${view.step.percent}%`
      : ` at step ${view.step.index + 1} of ${view.step.of}`
    : '';
  const lines: string[] = [];
  lines.push(
    state
      ? `${view.flag}: ${state.status}${where}${state.reason ? ` (${state.reason})` : ''}`
      : `${view.flag}: not started (\`monoenv flags rollout start ${view.flag}\`)`,
  );
  if (plan) {
    const steps = plan.steps.map((s) => `${s.percent}% (${formatDuration(s.minMinutes * 60_000)}, ${s.minUsers} users)`).join(' -> ');
    lines.push(`plan:       ${plan.variant} against safe variant ${plan.safeVariant}; steps ${steps}`);
  } else {
    lines.push('plan:       (none in the table: removed from rollouts/*.json?)');
  }
  lines.push(
    `flag:       version ${view.current.version}, ${view.current.state}, split ${weightsText(view.current.weights)}${view.current.editedOutsideRollout ? ' (edited outside the rollout: the controller pauses it on its next run)' : ''}`,
  );
  if (view.step && active) lines.push(`step since: ${view.step.startedAt} (at least ${formatDuration(view.step.minMinutes * 60_000)})`);
  if (active) {
    lines.push(
      view.exposures
        ? `exposures:  ${view.exposures.usersInStep} of ${view.exposures.minUsers} users in this step (checked ${view.exposures.at})`
        : `exposures:  not counted since the step began (step minimum ${view.step?.minUsers ?? '?'} users)`,
    );
  }
  if (view.lastCheck) {
    lines.push(`guardrails (checked ${view.lastCheck.at}):`);
    lines.push(...(view.readings.length > 0 ? view.readings.map((r) => `  [${r.status}] ${describeReading(r)}`) : ['  (none read)']));
    lines.push(`decision:   ${view.lastCheck.decision}`);
  } else if (active) {
    lines.push('guardrails: not read yet');
  }
  if (state) {
    const next =
      state.status === 'running'
        ? (view.nextDecisionAt ?? "at the controller's next run")
        : state.status === 'paused'
          ? `none while paused (\`monoenv flags rollout resume ${view.flag}\`)`
          : 'none (the rollout has ended)';
    lines.push(`next decision: ${next}`);
  }
  lines.push('', 'history:');
  lines.push(
    view.history.length > 0
      ? table([
          ['AT', 'EVENT', 'PERCENT', 'ACTOR', 'DETAIL'],
          ...view.history.map((e) => [e.at, e.event, `${e.percent}%`, e.actor, e.detail ?? '']),
        ])
      : '(none)',
  );
  lines.push('', 'pending schedules:', view.schedules.length > 0 ? formatScheduleTable(view.schedules) : '(none)');
  return lines.join('\n');
}

function formatScheduleTable(schedules: readonly StoredSchedule[]): string {
  return table([
    ['AT', 'STATUS', 'CHANGE', 'ID', 'BY', 'RESULT'],
    ...schedules.map((s) => [s.at, s.status, describeChange(s.change), s.id, s.createdBy, s.result ?? '']),
  ]);
}

export function formatScheduleList(flag: string, schedules: readonly StoredSchedule[]): string {
  return schedules.length > 0 ? formatScheduleTable(schedules) : `(no scheduled changes for '${flag}')`;
}

export function formatScheduleResult(result: ScheduleResult, now: Date): string {
  const { schedule } = result;
  return [
    `scheduled ${schedule.id}: ${result.description} on ${schedule.flag} at ${schedule.at} (in ${formatDuration(Date.parse(schedule.at) - now.getTime())}), by ${schedule.createdBy}; the rollout controller makes it on its first run from then`,
    ...result.warnings.map((w) => `warning: ${w}`),
  ].join('\n');
}
