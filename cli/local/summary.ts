/** What `npm start` prints once local production is up: where everything is and a first request to try. */
import { formatNotEmulated, type NotEmulated } from './not-emulated';
import type { LocalState } from './state-file';

export interface SummaryInput {
  readonly state: LocalState;
  readonly keys: { readonly flagsServer: string; readonly write: string };
  readonly notEmulated: readonly NotEmulated[];
  /** The schedules local production runs itself, sped up. */
  readonly schedules?: readonly {
    readonly name: string;
    readonly expression: string;
    readonly functionName: string;
    readonly everySeconds: number;
  }[];
  readonly stateFile: string;
  readonly portNote?: string;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function formatStartSummary(input: SummaryInput): string {
  const { state, keys } = input;
  const url = state.flagsUrl ?? '(not serving)';
  const events = JSON.stringify({
    batch: [{ messageId: 'first-1', type: 'track', event: 'cart_viewed', userId: 'user-1', timestamp: '{{now}}' }],
  }).replace('"{{now}}"', `"'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'"`);
  return [
    '',
    'Local production is up.',
    ...(input.portNote ? [`  note: ${input.portNote}`] : []),
    `  flags (OFREP)      ${url}/ofrep/v1/evaluate/flags`,
    `  events ingestion   ${state.eventsUrl ?? url}/v1/events`,
    `  journey processor  polling stream ${state.eventStream ?? '?'} into table ${state.analyticsTable ?? '?'}`,
    ...(input.schedules ?? []).map(
      (s) => `  schedule           ${s.functionName} every ${s.everySeconds} s (${s.name}: ${s.expression} in AWS; --schedule-interval)`,
    ),
    `  local AWS (moto)   ${state.awsEndpoint} (pid ${state.pids.moto}); region ${state.region}`,
    `  flag table         ${state.flagsTable ?? '?'}`,
    `  state              ${input.stateFile} (read by \`npx monoenv flags\` and \`npx monoenv experiment report\`)`,
    '',
    'Try it:',
    `  curl -s -X POST ${url}/ofrep/v1/evaluate/flags/new-checkout \\`,
    `    -H ${quote(`authorization: Bearer ${keys.flagsServer}`)} -H 'content-type: application/json' \\`,
    `    -d '{"context":{"targetingKey":"user-1"}}'`,
    `  curl -s -X POST ${state.eventsUrl ?? url}/v1/events \\`,
    `    -H ${quote(`authorization: Bearer ${keys.write}`)} -H 'content-type: application/json' \\`,
    `    -d '${events}'`,
    '  npx monoenv flags disable new-checkout        # kill switch, live within 5 s',
    '  npx monoenv experiment report new-checkout',
    '',
    formatNotEmulated(input.notEmulated),
    '',
    `Stop with Ctrl-C or \`npm stop\` (pid ${state.pids.runtime}).`,
  ].join('\n');
}
