import { DataAwsSecretsmanagerRandomPassword } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { IamAccessKey } from '@cdktf/provider-aws/lib/iam-access-key';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { TerraformResource, Testing } from 'cdktf';
import { findingsOf, runGuardrails } from '../../../support/guardrails-harness';

const EPHEMERAL_PASSWORD = '${ephemeral.aws_secretsmanager_random_password.pw.random_password}';
const db = { instanceClass: 'db.t4g.micro', engine: 'postgres', allocatedStorage: 20, username: 'app' };

describe('MONO-STATE-1 no secrets in state', () => {
  it('passes an ephemeral password written through write-only arguments, and RDS-managed passwords', () => {
    const { guardrails, stack } = runGuardrails((s) => {
      // cdktf has no class for ephemeral resources: the stack writes the raw block, which the guardrails do not see.
      s.addOverride('ephemeral.aws_secretsmanager_random_password.pw', { password_length: 40, exclude_punctuation: true });
      const secret = new SecretsmanagerSecret(s, 'Secret', { name: 'api-keys' });
      new SecretsmanagerSecretVersion(s, 'Version', { secretId: secret.id, secretStringWo: EPHEMERAL_PASSWORD, secretStringWoVersion: 1 });
      new SsmParameter(s, 'Param', { name: '/app/key', type: 'SecureString', valueWo: EPHEMERAL_PASSWORD, valueWoVersion: 1 });
      new SsmParameter(s, 'Plain', { name: '/app/region', type: 'String', value: 'us-east-1' });
      new DbInstance(s, 'Db', { ...db, manageMasterUserPassword: true });
      new RdsCluster(s, 'Cluster', {
        engine: 'aurora-postgresql',
        masterUsername: 'app',
        masterPasswordWo: EPHEMERAL_PASSWORD,
        masterPasswordWoVersion: 1,
      });
      new IamAccessKey(s, 'Key', { user: 'ci', pgpKey: 'keybase:ci' });
    });
    expect(guardrails.findings.filter((finding) => finding.ruleId === 'MONO-STATE-1')).toEqual([]);
    expect(JSON.parse(Testing.synth(stack)).ephemeral.aws_secretsmanager_random_password.pw).toEqual({
      password_length: 40,
      exclude_punctuation: true,
    });
  });

  it('flags every secret that would land in state, saying which write-only argument to use', () => {
    expect(
      findingsOf('MONO-STATE-1', (s) => {
        const random = new DataAwsSecretsmanagerRandomPassword(s, 'Random', { passwordLength: 40 });
        const secret = new SecretsmanagerSecret(s, 'Secret', { name: 'api-keys' });
        new SecretsmanagerSecretVersion(s, 'Version', { secretId: secret.id, secretString: random.randomPassword });
        new SecretsmanagerSecretVersion(s, 'Binary', { secretId: secret.id, secretBinary: 'c2VjcmV0' });
        new SsmParameter(s, 'Param', { name: '/app/key', type: 'SecureString', value: 'hunter2' });
        new DbInstance(s, 'Db', { ...db, password: 'hunter2hunter2' });
        new RdsCluster(s, 'Cluster', { engine: 'aurora-postgresql', masterUsername: 'app', masterPassword: 'hunter2hunter2' });
        new IamAccessKey(s, 'Key', { user: 'ci' });
        new TerraformResource(s, 'Password', { terraformResourceType: 'random_password' }).addOverride('length', 32);
      }),
    ).toEqual([
      'test/Random: the generated password (random_password) is stored in state, and changes on every plan: use the ephemeral aws_secretsmanager_random_password and pass it to a write-only argument such as secret_string_wo',
      'test/Version: secret_string is written to state: use secret_string_wo with secret_string_wo_version',
      'test/Binary: secret_binary is written to state, and has no write-only form: store it base64-encoded through secret_string_wo, or write the value outside Terraform',
      'test/Param: value of a SecureString parameter is written to state: use value_wo with value_wo_version',
      'test/Db: password is written to state: set manage_master_user_password = true (RDS keeps it in Secrets Manager), or use password_wo with password_wo_version',
      'test/Cluster: master_password is written to state: set manage_master_user_password = true, or use master_password_wo with master_password_wo_version',
      'test/Key: the secret access key (secret, ses_smtp_password_v4) is stored in state in the clear: use a role instead; if a key is unavoidable, set pgp_key so only encrypted_secret is stored',
      'test/Password: result is stored in state: use the ephemeral aws_secretsmanager_random_password and pass it to a write-only argument',
    ]);
  });
});
