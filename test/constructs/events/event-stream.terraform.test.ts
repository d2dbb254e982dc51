import * as path from 'node:path';
import { TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { EventStream } from '../../../constructs/events/event-stream';
import { Monitoring } from '../../../constructs/monitoring/monitoring';
import { describeNeeding } from '../../support/needs';
import { fullSynth, tempDir, testApp } from '../../support/temp';
import { validateSynthesizedStack } from '../../support/terraform';

/** The provider's own schema checks every block and attribute the construct writes. */
describeNeeding(['terraform'], 'EventStream against terraform validate', () => {
  it('synthesizes a stack the AWS provider accepts, free text included', async () => {
    const app = testApp();
    const stack = new TerraformStack(app, 'events');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const monitoring = new Monitoring(stack, 'monitoring', { namePrefix: 'shop' });
    new EventStream(stack, 'events', {
      namePrefix: 'shop',
      monitoring,
      // `${x}` would be a Terraform reference to nothing if the construct did not escape it.
      journeys: [
        { name: 'checkout', steps: ['cart_viewed', 'order_completed'], conversionWindowSeconds: 3600 },
        { name: 'promo', steps: ["clicked ${x}'s %{deal}", 'bought'], conversionWindowSeconds: 60 },
      ],
      corsAllowOrigins: ['*'],
      archiveRetentionDays: 400,
      ownership: { domain: 'product', team: 'growth', alertEmail: 'growth@example.com' },
      streamKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/abc',
    });
    const stackDir = path.join(fullSynth(stack), 'stacks', 'events');
    const result = await validateSynthesizedStack(stackDir, { projectDir: tempDir('monoenv-events-') });
    expect(result.diagnostics).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
