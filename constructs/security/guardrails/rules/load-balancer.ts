/** Application load balancers: TLS 1.2+ on every listener, and invalid HTTP headers dropped. */
import type { GuardrailRule } from '../rule';
import { blocks, isExpression, isTrueOrUnknown } from '../values';

/** ELB security policies whose minimum is TLS 1.2, e.g. ELBSecurityPolicy-TLS13-1-2-2021-06. */
export const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-/;

const redirectsToHttps = (defaultAction: unknown): boolean => {
  const actions = blocks(defaultAction);
  return (
    actions.length > 0 &&
    actions.every((action) => action.type === 'redirect' && blocks(action.redirect).some((redirect) => redirect.protocol === 'HTTPS'))
  );
};

export const listenerTls: GuardrailRule = {
  id: 'MONO-ELB-1',
  description: 'Load balancer listeners use HTTPS/TLS with a TLS 1.2+ security policy (plain HTTP only to redirect to HTTPS).',
  fix: "Use protocol: 'HTTPS' with sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' and a certificate, or make the HTTP listener's default action a redirect to HTTPS.",
  appliesTo: ['aws_lb_listener', 'aws_alb_listener'],
  check: ({ config }) => {
    const protocol = config.protocol ?? 'HTTP';
    if (isExpression(protocol)) return [];
    if (protocol === 'HTTP')
      return redirectsToHttps(config.default_action) ? [] : ['protocol is HTTP and the default action does not redirect to HTTPS'];
    if (protocol !== 'HTTPS' && protocol !== 'TLS') return []; // TCP/UDP listeners belong to network load balancers
    const policy = config.ssl_policy;
    if (policy === undefined) return ['ssl_policy is not set, so AWS picks a default that allows TLS 1.0'];
    return isExpression(policy) || (typeof policy === 'string' && TLS12_POLICY.test(policy))
      ? []
      : [`ssl_policy ${JSON.stringify(policy)} allows TLS older than 1.2`];
  },
};

export const dropInvalidHeaders: GuardrailRule = {
  id: 'MONO-ELB-2',
  description: 'Application load balancers drop invalid HTTP header fields.',
  fix: 'Set dropInvalidHeaderFields: true.',
  appliesTo: ['aws_lb', 'aws_alb'],
  check: ({ config }) => {
    const type = config.load_balancer_type ?? 'application';
    if (type !== 'application' && !isExpression(type)) return [];
    return isTrueOrUnknown(config.drop_invalid_header_fields) ? [] : ['drop_invalid_header_fields is not true'];
  },
};
