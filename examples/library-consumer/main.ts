/**
 * A team's own cdktf app that uses monoenv as a library: flags and the event pipeline in its own stack, behind
 * one front door, with monoenv's guardrails. `npm install && npx cdktf synth` (or `npm run synth`).
 */
import { App, Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { EventStream, FlagStore, Guardrails, Monitoring, PublicApi, type FlagStoreProps } from 'monoenv';

const app = new App({ outdir: process.env.CDKTF_OUTDIR });
const stack = new TerraformStack(app, 'checkout');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });

const ownership = { domain: 'checkout', team: 'payments' };
const monitoring = new Monitoring(stack, 'monitoring', { namePrefix: 'checkout', ownership });
const api = new PublicApi(stack, 'api', { apiName: 'checkout-api', monitoring, ownership });

const events = new EventStream(stack, 'events', {
  namePrefix: 'checkout',
  monitoring,
  api,
  journeys: [{ name: 'purchase', steps: ['cart_viewed', 'order_completed'], conversionWindowSeconds: 86_400 }],
  corsAllowOrigins: ['https://shop.example.com'],
  archiveRetentionDays: 400,
  ownership,
});

const flagProps: FlagStoreProps = {
  namePrefix: 'checkout',
  monitoring,
  api,
  ownership,
  flags: { flags: { 'one-page-checkout': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' } } },
  exposureStream: events,
};
const flags = new FlagStore(stack, 'flags', flagProps);

new TerraformOutput(stack, 'api_url', { value: api.url });
new TerraformOutput(stack, 'flags_table', { value: flags.tableName });
Aspects.of(stack).add(new Guardrails());
app.synth();
