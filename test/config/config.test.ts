import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { z } from 'zod';
import { ConfigError, loadConfig, parseConfig } from '../../config/load';
import { fieldPath } from '../../constructs/core/props';
import { flagStoreSettingsSchema } from '../../constructs/flags/flag-store-props';
import { publicApiSettingsSchema } from '../../constructs/front-door/public-api';
import { imageScanningSettingsSchema } from '../../constructs/images/image-scanning-props';
import { monitoringSettingsSchema } from '../../constructs/monitoring/monitoring';
import { eventStreamSettingsSchema } from '../../constructs/events/event-stream-props';
import { tempDir } from '../support/temp';

function tempConfig(content: string): string {
  const dir = tempDir('monoenv-config-');
  writeFileSync(path.join(dir, 'monoenv.config.json'), content);
  return dir;
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('gives a working environment from an empty config', () => {
    const config = parseConfig({});
    expect(config.appName).toBe('monoenv');
    expect(config.services).toHaveLength(1);
    expect(config.services[0]).toMatchObject({
      name: 'web',
      cpu: 256,
      memoryMiB: 512,
      desiredCount: 2,
      maxCount: 4,
      containerPort: 8080,
      healthCheckPath: '/health',
    });
    expect(config.network.natGateways).toBe('one');
    expect(config.imageScanning).toEqual({ mode: 'enhanced', keepLastImages: 30, alertSeverity: 'HIGH', rescanSchedule: 'rate(1 day)' });
    expect(config.ownership).toEqual({ domain: 'platform', team: 'platform' });
  });

  it('names every bad field', () => {
    const issues = issuesOf(() =>
      parseConfig({
        region: 'mars',
        alertEmail: 'not-an-email',
        services: [
          { name: 'Web', cpu: 300 },
          { name: 'api', cpu: 256, memoryMiB: 8192 },
          { name: 'api', minCount: 3, maxCount: 2, desiredCount: 2 },
        ],
        domain: { name: 'shop.example.com', certificateArn: 'nope' },
        tags: { team: 'x' },
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        'region: region must look like eu-west-1',
        expect.stringMatching(/^alertEmail: /),
        expect.stringMatching(/^services\[0\]\.name: service name must be lower-case/),
        expect.stringMatching(/^services\[0\]\.cpu: cpu must be one of 256, 512, 1024, 2048, 4096/),
        // The construct's own rules: 768 with cpu 256 would pass a range check and fail in ContainerService.
        'services[1].memoryMiB: memoryMiB 8192 is not valid with cpu 256 on Fargate; allowed: 512, 1024, 2048',
        expect.stringMatching(/^services\[2\]\.maxCount: maxCount \(2\) must be a whole number >= minCount \(3\)/),
        "services[2].name: duplicate service name 'api'",
        'domain.certificateArn: certificateArn must be an ACM certificate ARN',
        "tags.team: 'team' is set from ownership, not tags",
      ]),
    );
  });

  it('rejects fields it does not know, so a misspelt setting is not silently ignored', () => {
    const issues = issuesOf(() =>
      parseConfig({ appname: 'shop', flags: { reservedConcurency: 10 }, services: [{ name: 'web', cpus: 512 }] }),
    );
    expect(issues.sort()).toEqual([
      'appname: unknown setting (misspelt?)',
      'flags.reservedConcurency: unknown setting (misspelt?)',
      'services[0].cpus: unknown setting (misspelt?)',
    ]);
  });

  describe("checks the settings that become construct props with the constructs' own rules", () => {
    /** The messages a construct's schema (what it parses its props with) gives `props`, by field. */
    const constructIssues = (schema: z.ZodType, props: Record<string, unknown>): string[] => {
      const result = schema.safeParse(props);
      return result.success ? [] : result.error.issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`);
    };
    const imageScanning = (props: Record<string, unknown>) =>
      constructIssues(imageScanningSettingsSchema, { repositoryName: 'shop', ...props });
    const publicApi = (props: Record<string, unknown>) => constructIssues(publicApiSettingsSchema, { apiName: 'shop-api', ...props });
    const flagStore = (props: Record<string, unknown>) => constructIssues(flagStoreSettingsSchema, { namePrefix: 'shop', ...props });
    const monitoring = (props: Record<string, unknown>) => constructIssues(monitoringSettingsSchema, { namePrefix: 'shop', ...props });
    const eventStream = (props: Record<string, unknown>) =>
      constructIssues(eventStreamSettingsSchema, { namePrefix: 'shop', corsAllowOrigins: [], archiveRetentionDays: 400, ...props });

    // [config field, config, the construct's field, what the construct says about the same value]
    it.each<[string, Record<string, unknown>, string, string[]]>([
      // The config used to take any rate(...): 'rate(1 week)' passed it and failed in ImageScanning.
      [
        'imageScanning.rescanSchedule',
        { imageScanning: { rescanSchedule: 'rate(1 week)' } },
        'rescanScheduleExpression',
        imageScanning({ rescanScheduleExpression: 'rate(1 week)' }),
      ],
      ['imageScanning.mode', { imageScanning: { mode: 'deep' } }, 'scanMode', imageScanning({ scanMode: 'deep' })],
      [
        'imageScanning.keepLastImages',
        { imageScanning: { keepLastImages: 2.5 } },
        'keepLastImages',
        imageScanning({ keepLastImages: 2.5 }),
      ],
      [
        'imageScanning.alertSeverity',
        { imageScanning: { alertSeverity: 'SEVERE' } },
        'alertSeverity',
        imageScanning({ alertSeverity: 'SEVERE' }),
      ],
      ['api.throttleRateLimit', { api: { throttleRateLimit: 0 } }, 'throttleRateLimit', publicApi({ throttleRateLimit: 0 })],
      ['api.throttleBurstLimit', { api: { throttleBurstLimit: 1.5 } }, 'throttleBurstLimit', publicApi({ throttleBurstLimit: 1.5 })],
      [
        'flags.corsAllowOrigins[0]',
        { flags: { corsAllowOrigins: ['https://shop.example.com/'] } },
        'corsAllowOrigins[0]',
        flagStore({ corsAllowOrigins: ['https://shop.example.com/'] }),
      ],
      [
        'flags.reservedConcurrency',
        { flags: { reservedConcurrency: 0 } },
        'reservedConcurrentExecutions',
        flagStore({ reservedConcurrentExecutions: 0 }),
      ],
      ['alertEmail', { alertEmail: 'oncall at example.com' }, 'alertEmail', monitoring({ alertEmail: 'oncall at example.com' })],
      [
        'ownership.alertEmail',
        { ownership: { domain: 'shop', team: 'web', alertEmail: 'web@' } },
        'alertEmail',
        monitoring({ alertEmail: 'web@' }),
      ],
      // Both used to have no upper bound in the config, so a config could pass and fail in EventStream.
      [
        'events.archiveRetentionDays',
        { events: { archiveRetentionDays: 40000 } },
        'archiveRetentionDays',
        eventStream({ archiveRetentionDays: 40000 }),
      ],
      [
        'events.ingestReservedConcurrency',
        { events: { ingestReservedConcurrency: 20000 } },
        'ingestReservedConcurrentExecutions',
        eventStream({ ingestReservedConcurrentExecutions: 20000 }),
      ],
    ])(
      '%s: what the construct rejects, the config rejects, with the same message',
      (configField, config, constructField, fromConstruct) => {
        expect(fromConstruct).toHaveLength(1);
        const [field, ...message] = fromConstruct[0].split(': ');
        expect(field).toBe(constructField);
        expect(issuesOf(() => parseConfig(config))).toEqual([`${configField}: ${message.join(': ')}`]);
      },
    );

    it("appName also names the ECR repository, so it follows ImageScanning's repositoryName rule too", () => {
      for (const appName of ['a', 'shop-', 'my--shop']) {
        expect(imageScanning({ repositoryName: appName })).toEqual([expect.stringMatching(/^repositoryName: must be 2-256 lowercase/)]);
        expect(issuesOf(() => parseConfig({ appName }))).toEqual([
          `appName: '${appName}' also names the ECR repository, so it needs at least 2 characters and '-' only between letters or digits`,
        ]);
      }
      expect(parseConfig({ appName: 'my-shop2' }).appName).toBe('my-shop2');
    });

    it('and takes what the constructs take', () => {
      for (const rescanSchedule of ['rate(6 hours)', 'cron(0 6 * * ? *)', 'at(2027-01-01T06:00:00)']) {
        expect(imageScanning({ rescanScheduleExpression: rescanSchedule })).toEqual([]);
        expect(parseConfig({ imageScanning: { rescanSchedule } }).imageScanning.rescanSchedule).toBe(rescanSchedule);
      }
      const config = parseConfig({
        alertEmail: 'oncall@example.com',
        imageScanning: { mode: 'basic', keepLastImages: 1000, alertSeverity: 'LOW' },
        api: { throttleRateLimit: 0.5, throttleBurstLimit: 1 },
        flags: { corsAllowOrigins: ['*', 'http://localhost:3000'], reservedConcurrency: 1 },
      });
      expect(imageScanning({ scanMode: 'basic', keepLastImages: 1000, alertSeverity: 'LOW' })).toEqual([]);
      expect(publicApi({ throttleRateLimit: 0.5, throttleBurstLimit: 1 })).toEqual([]);
      expect(flagStore({ corsAllowOrigins: ['*', 'http://localhost:3000'], reservedConcurrentExecutions: 1 })).toEqual([]);
      expect(config.flags).toMatchObject({ corsAllowOrigins: ['*', 'http://localhost:3000'], reservedConcurrency: 1 });
    });
  });

  it('loads the file and lets CD override the image tag, region and alert email from the environment', () => {
    const dir = tempConfig(
      JSON.stringify({ appName: 'shop', services: [{ name: 'web' }, { name: 'worker', image: 'public.ecr.aws/x/y:1' }] }),
    );
    const { config, baseDir } = loadConfig({
      cwd: dir,
      env: {
        MONOENV_IMAGE_TAG: 'abc123',
        MONOENV_REGION: 'eu-central-1',
        MONOENV_ALERT_EMAIL: 'oncall@example.com',
        MONOENV_ROLLOUTS_DIR: 'examples/rollouts-laptop',
      },
    });
    expect(baseDir).toBe(dir);
    expect(config.rollouts).toEqual({ dir: 'examples/rollouts-laptop', schedule: 'rate(1 minute)' });
    expect(config.appName).toBe('shop');
    expect(config.region).toBe('eu-central-1');
    expect(config.alertEmail).toBe('oncall@example.com');
    expect(config.services[0].imageTag).toBe('abc123');
    // A service with its own full image is not retagged.
    expect(config.services[1]).toMatchObject({ image: 'public.ecr.aws/x/y:1', imageTag: 'latest' });
  });

  it('fails with the file named on invalid JSON, a missing explicit file, or a bad override', () => {
    expect(issuesOf(() => loadConfig({ cwd: tempConfig('{ nope') }))[0]).toMatch(/^\(file\): not valid JSON/);
    expect(issuesOf(() => loadConfig({ cwd: os.tmpdir(), file: 'missing.json', env: {} }))).toEqual(['(file): file not found']);
    expect(issuesOf(() => loadConfig({ cwd: tempConfig('{}'), env: { MONOENV_IMAGE_TAG: 'bad tag!' } }))).toEqual([
      'services[0].imageTag: imageTag must be a valid image tag',
    ]);
  });

  it('uses defaults when there is no config file', () => {
    const { config, source } = loadConfig({ cwd: tempDir('monoenv-empty-'), env: {} });
    expect(source).toBe('defaults');
    expect(config.services[0].name).toBe('web');
  });
});
