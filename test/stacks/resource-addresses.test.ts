import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { parseConfig } from '../../config/load';
import { BootstrapStack } from '../../stacks/bootstrap-stack';
import { ProductionStack } from '../../stacks/production-stack';
import { testApp } from '../support/temp';
import { REPO_ROOT } from '../support/paths';

/**
 * Terraform addresses are identities: a resource whose address moves is destroyed and created again on the next
 * apply, which for a table, stream, bucket or secret means its data and keys. These lists are the addresses the
 * stacks had when each was last changed on purpose; a refactoring must leave them exactly as they are. To change
 * them, say in the commit which resources move and why that is harmless, then update the file.
 */
const repoRoot = REPO_ROOT;
const config = parseConfig({ appName: 'shop', region: 'eu-west-1', github: { repository: 'acme/shop' } });

function addresses(json: string): string[] {
  const parsed = JSON.parse(json) as Record<string, Record<string, Record<string, unknown>> | undefined>;
  return ['resource', 'data', 'ephemeral']
    .flatMap((kind) =>
      Object.entries(parsed[kind] ?? {}).flatMap(([type, byName]) =>
        Object.keys(byName).map((name) => `${kind === 'resource' ? '' : `${kind}.`}${type}.${name}`),
      ),
    )
    .sort();
}

const recorded = (stack: string) =>
  readFileSync(path.join(__dirname, 'addresses', `${stack}.txt`), 'utf8')
    .split('\n')
    .filter(Boolean);

describe('Terraform resource addresses', () => {
  it('production: every address as recorded', () => {
    const stack = new ProductionStack(testApp(), 'production', { config, baseDir: repoRoot, guardrails: false });
    expect(addresses(Testing.synth(stack))).toEqual(recorded('production'));
  });

  it('bootstrap: every address as recorded', () => {
    const stack = new BootstrapStack(testApp(), 'bootstrap', { config, guardrails: false });
    expect(addresses(Testing.synth(stack))).toEqual(recorded('bootstrap'));
  });
});
