import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { motoClientConfig } from './moto-server';

export interface LocalKeys {
  readonly flagsServer: string;
  readonly flagsClient?: string;
  readonly write: string;
}

/** The secrets terraform created in the local AWS for the flag API and ingestion keys. */
export interface KeySecrets {
  readonly flagsApiKeysSecret: string;
  readonly eventsWriteKeySecret: string;
}

/** Reads the first flag (server, client) and write keys from the local AWS, as a service would from Secrets Manager. */
export async function readLocalKeys(endpoint: string, region: string, secretsOf: KeySecrets): Promise<LocalKeys> {
  const secrets = new SecretsManagerClient(motoClientConfig(endpoint, region));
  try {
    const read = async (id: string): Promise<Record<string, unknown>> =>
      JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: id }))).SecretString ?? '{}');
    const first = (value: unknown): string | undefined => (Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined);
    const flags = await read(secretsOf.flagsApiKeysSecret);
    const events = await read(secretsOf.eventsWriteKeySecret);
    const flagsServer = first(flags.server);
    const write = first(events.write);
    if (!flagsServer || !write) throw new Error('the key secrets hold no server or write key');
    return { flagsServer, flagsClient: first(flags.client), write };
  } finally {
    secrets.destroy();
  }
}
