import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { failureMessage, MAX_FAILURES_PER_CALL, type FailureSink, type SkippedRecord } from './failures';
import { systemClock, type Clock } from '../shared/clock';

/** The processor's failure queue (FAILURE_QUEUE_URL): one message per skipped record, ten to a call. */
export class SqsFailureQueue implements FailureSink {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly now: Clock = systemClock,
  ) {}

  async record(skipped: readonly SkippedRecord[]): Promise<number> {
    if (skipped.length === 0) return 0;
    if (skipped.length > MAX_FAILURES_PER_CALL)
      throw new Error(`at most ${MAX_FAILURES_PER_CALL} skipped records a call, not ${skipped.length}`);
    const nowMs = this.now();
    const out = await this.client.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: skipped.map((s, i) => ({ Id: String(i), MessageBody: failureMessage(s, nowMs) })),
      }),
    );
    const failed = (out.Failed ?? []).map((f) => Number(f.Id));
    return failed.length > 0 ? Math.min(...failed) : skipped.length;
  }
}
