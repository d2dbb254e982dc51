import { formatNotEmulated, notEmulatedResources } from '../../../cli/local/not-emulated';

const stack = {
  resource: {
    aws_ecs_service: { 'service-web_service_1': { name: 'shop-web' } },
    aws_lambda_function: { flags_fn: { function_name: 'shop-flags' }, ingest_fn: { function_name: 'shop-ingest' } },
    aws_lambda_event_source_mapping: { processor: { function_name: '${aws_lambda_function.ingest_fn.function_name}' } },
    aws_apigatewayv2_api: { api: { name: 'shop-api' } },
    aws_scheduler_schedule: { rescan: { name: 'shop-rescan' } },
    aws_cloudwatch_event_target: {
      to_sns: { rule: 'shop-findings', arn: '${aws_sns_topic.alerts.arn}' },
      to_lambda: { rule: 'shop-other', arn: '${aws_lambda_function.flags_fn.arn}' },
    },
    aws_cloudwatch_metric_alarm: { a1: { alarm_name: 'shop-flags-errors' }, a2: { alarm_name: 'shop-ingest-errors' } },
    aws_dynamodb_table: { flags: { name: 'shop-flags' } },
    aws_kinesis_stream: { events: { name: 'shop-events' } },
  },
};

describe('resources local production cannot run', () => {
  const list = notEmulatedResources(stack);
  const names = list.map((item) => item.name);

  it('lists each by its AWS name, resolving references to other resources', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'shop-web',
        'shop-flags',
        'shop-ingest',
        'shop-api',
        'shop-rescan',
        'shop-findings',
        'shop-flags-errors',
        'shop-ingest-errors',
      ]),
    );
    expect(list.find((item) => item.address === 'aws_lambda_event_source_mapping.processor')?.name).toBe('shop-ingest');
    expect(list.find((item) => item.name === 'shop-api')?.what).toMatch(/serves its deployed routes/);
  });

  it('leaves out what moto really runs (tables, streams) and EventBridge targets that are not SNS', () => {
    expect(list.map((item) => item.address)).not.toEqual(expect.arrayContaining(['aws_dynamodb_table.flags']));
    expect(names).not.toContain('shop-other');
    expect(list.some((item) => item.address.startsWith('aws_kinesis_stream'))).toBe(false);
  });

  it('says that service autoscaling was left out of the local target when the stack has none', () => {
    expect(list.find((item) => item.name === 'shop-web autoscaling')?.what).toMatch(/left out locally/);
    const withAutoscaling = notEmulatedResources({ resource: { ...stack.resource, aws_appautoscaling_target: { t: {} } } });
    expect(withAutoscaling.some((item) => item.name.endsWith('autoscaling'))).toBe(false);
  });

  it('prints one line per resource and folds the alarms into one line that still names them', () => {
    const text = formatNotEmulated(list);
    expect(text.split('\n')[0]).toMatch(/not emulated/);
    expect(text).toMatch(/shop-web: ECS service: stored, but no task runs/);
    expect(text).toMatch(/2 CloudWatch alarms \(shop-flags-errors, shop-ingest-errors\)/);
    expect(formatNotEmulated([])).toBe('');
  });

  it('handles a stack without resources', () => {
    expect(notEmulatedResources({})).toEqual([]);
  });
});
