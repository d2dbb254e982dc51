/**
 * No secret value is written to Terraform state. Terraform >= 1.11 can generate a secret in an ephemeral resource
 * and hand it to a write-only argument (`*_wo`, with a `*_wo_version` to rotate it), so the value never reaches the
 * state file or the plan. cdktf 0.21 has no class for ephemeral resources; a stack adds them as raw `ephemeral`
 * blocks, which the StackView does not see (and need not: they are the compliant shape).
 */
import type { GuardrailRule } from '../rule';
import type { ElementView } from '../stack-view';
import { isExpression, isSet } from '../values';

function secretsInState({ type, kind, config }: ElementView): string[] {
  const set = (attribute: string) => isSet(config[attribute]);
  switch (kind === 'data' ? `data.${type}` : type) {
    case 'data.aws_secretsmanager_random_password':
      return [
        'the generated password (random_password) is stored in state, and changes on every plan: use the ephemeral aws_secretsmanager_random_password and pass it to a write-only argument such as secret_string_wo',
      ];
    case 'random_password':
      return ['result is stored in state: use the ephemeral aws_secretsmanager_random_password and pass it to a write-only argument'];
    case 'aws_secretsmanager_secret_version':
      return [
        ...(set('secret_string') ? ['secret_string is written to state: use secret_string_wo with secret_string_wo_version'] : []),
        ...(set('secret_binary')
          ? [
              'secret_binary is written to state, and has no write-only form: store it base64-encoded through secret_string_wo, or write the value outside Terraform',
            ]
          : []),
      ];
    case 'aws_ssm_parameter': {
      const secure = config.type === 'SecureString' || isExpression(config.type);
      const written = ['value', 'insecure_value'].filter(set);
      return secure && written.length
        ? [`${written.join(' and ')} of a SecureString parameter is written to state: use value_wo with value_wo_version`]
        : [];
    }
    case 'aws_db_instance':
      return set('password')
        ? [
            'password is written to state: set manage_master_user_password = true (RDS keeps it in Secrets Manager), or use password_wo with password_wo_version',
          ]
        : [];
    case 'aws_rds_cluster':
      return set('master_password')
        ? [
            'master_password is written to state: set manage_master_user_password = true, or use master_password_wo with master_password_wo_version',
          ]
        : [];
    case 'aws_iam_access_key':
      return set('pgp_key')
        ? []
        : [
            'the secret access key (secret, ses_smtp_password_v4) is stored in state in the clear: use a role instead; if a key is unavoidable, set pgp_key so only encrypted_secret is stored',
          ];
    default:
      return [];
  }
}

export const noSecretsInState: GuardrailRule = {
  id: 'MONO-STATE-1',
  description: 'No secret value is written to Terraform state.',
  fix: 'Generate secrets in ephemeral resources and pass them only to write-only arguments (Terraform >= 1.11), e.g. an `ephemeral "aws_secretsmanager_random_password"` block into secret_string_wo + secret_string_wo_version; each problem names the write-only argument of its resource.',
  appliesTo: [
    'data.aws_secretsmanager_random_password',
    'random_password',
    'aws_secretsmanager_secret_version',
    'aws_ssm_parameter',
    'aws_db_instance',
    'aws_rds_cluster',
    'aws_iam_access_key',
  ],
  check: secretsInState,
};
