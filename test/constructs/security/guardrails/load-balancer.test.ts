import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import type { TerraformStack } from 'cdktf';
import { findingsOf } from '../../../support/guardrails-harness';

const forward = [{ type: 'forward', targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/app/1' }];
const certificateArn = 'arn:aws:acm:us-east-1:1:certificate/c';
const withLb = (build: (s: TerraformStack, lb: Lb) => void) => (s: TerraformStack) =>
  build(s, new Lb(s, 'Alb', { name: 'app', dropInvalidHeaderFields: true }));

describe('MONO-ELB-1 listener TLS', () => {
  it('passes HTTPS with a TLS 1.2+ policy and HTTP that redirects to HTTPS', () => {
    expect(
      findingsOf(
        'MONO-ELB-1',
        withLb((s, lb) => {
          new LbListener(s, 'Https', {
            loadBalancerArn: lb.arn,
            port: 443,
            protocol: 'HTTPS',
            sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
            certificateArn,
            defaultAction: forward,
          });
          new LbListener(s, 'Http', {
            loadBalancerArn: lb.arn,
            port: 80,
            protocol: 'HTTP',
            defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
          });
        }),
      ),
    ).toEqual([]);
  });
  it('flags HTTP that serves traffic, an old policy and a missing policy', () => {
    expect(
      findingsOf(
        'MONO-ELB-1',
        withLb((s, lb) => {
          new LbListener(s, 'Http', { loadBalancerArn: lb.arn, port: 80, protocol: 'HTTP', defaultAction: forward });
          new LbListener(s, 'Old', {
            loadBalancerArn: lb.arn,
            port: 443,
            protocol: 'HTTPS',
            sslPolicy: 'ELBSecurityPolicy-2016-08',
            certificateArn,
            defaultAction: forward,
          });
          new LbListener(s, 'NoPolicy', { loadBalancerArn: lb.arn, port: 8443, protocol: 'HTTPS', certificateArn, defaultAction: forward });
        }),
      ),
    ).toEqual([
      'test/Http: protocol is HTTP and the default action does not redirect to HTTPS',
      'test/Old: ssl_policy "ELBSecurityPolicy-2016-08" allows TLS older than 1.2',
      'test/NoPolicy: ssl_policy is not set, so AWS picks a default that allows TLS 1.0',
    ]);
  });
});

describe('MONO-ELB-2 drop invalid headers', () => {
  it('passes an ALB that drops invalid headers, and ignores network load balancers', () => {
    expect(
      findingsOf('MONO-ELB-2', (s) => {
        new Lb(s, 'Alb', { name: 'app', dropInvalidHeaderFields: true });
        new Lb(s, 'Nlb', { name: 'net', loadBalancerType: 'network' });
      }),
    ).toEqual([]);
  });
  it('flags an ALB that does not', () => {
    expect(findingsOf('MONO-ELB-2', (s) => new Lb(s, 'Alb', { name: 'app' }))).toEqual([
      'test/Alb: drop_invalid_header_fields is not true',
    ]);
  });
});
