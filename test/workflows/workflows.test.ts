import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandNames } from '../../cli/main';
import {
  checkDeployConcurrency,
  checkDeployRole,
  checkIdTokenOnlyIn,
  checkMonoenvCommandsExist,
  checkNoAwsKeys,
  checkNpmScriptsExist,
  checkPinnedActions,
  checkRunsCommands,
  checkSchedule,
  commandsOf,
  parseWorkflow,
  readmeCommands,
  readmeTestCommand,
  stepIndex,
  type Workflow,
} from './workflow-rules';
import { REPO_ROOT } from '../support/paths';

const root = REPO_ROOT;
const workflowDir = join(root, '.github', 'workflows');
const read = (...path: string[]): string => readFileSync(join(root, ...path), 'utf8');

const workflows: Workflow[] = readdirSync(workflowDir)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort()
  .map((file) => parseWorkflow(file, readFileSync(join(workflowDir, file), 'utf8')));
const byFile = (file: string): Workflow => {
  const found = workflows.find((workflow) => workflow.file === file);
  if (!found) throw new Error(`.github/workflows/${file} is missing`);
  return found;
};

const readme = read('README.md');
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
const monoenvCommands = commandNames();

const ROLE_VARIABLE = 'MONOENV_DEPLOY_ROLE_ARN';
const ROLE_OUTPUT = 'deploy_role_arn';
const DEPLOY = { file: 'deploy.yml', job: 'deploy' };

/** A workflow from a small YAML snippet, for showing that each rule can fail. */
const snippet = (text: string, file = 'bad.yml'): Workflow => parseWorkflow(file, text);

describe('the workflows in .github/workflows', () => {
  it('are ci.yml, deploy.yml and scheduled-scan.yml', () => {
    expect(workflows.map((workflow) => workflow.file)).toEqual(expect.arrayContaining(['ci.yml', 'deploy.yml', 'scheduled-scan.yml']));
  });

  it("run the README's install and test commands in CI, and synthesize", () => {
    expect(readmeTestCommand(readme)).toBe('npm test');
    // The README's main job (`npm start`) serves a local production until stopped: CI runs the rest.
    const commands = readmeCommands(readme).filter((command) => command !== 'npm start');
    expect(commands).toEqual(expect.arrayContaining(['npm ci', 'npm test']));
    expect(checkRunsCommands(byFile('ci.yml'), [...commands, 'npm run synth'])).toEqual([]);
  });

  it.each(workflows.map((workflow) => [workflow.file, workflow] as const))(
    '%s calls only npm scripts and monoenv commands that exist',
    (_file, workflow) => {
      expect(checkNpmScriptsExist(workflow, scripts)).toEqual([]);
      expect(checkMonoenvCommandsExist(workflow, monoenvCommands)).toEqual([]);
    },
  );

  it.each(workflows.map((workflow) => [workflow.file, workflow] as const))(
    '%s pins every action to a version and holds no AWS keys',
    (_file, workflow) => {
      expect(checkPinnedActions(workflow)).toEqual([]);
      expect(checkNoAwsKeys(workflow)).toEqual([]);
    },
  );

  it('grant id-token: write only to the deploy job', () => {
    expect(checkIdTokenOnlyIn(workflows, DEPLOY)).toEqual([]);
  });

  it('deploy with the role from the bootstrap output, one deployment at a time', () => {
    const deploy = byFile('deploy.yml');
    // The output really exists under that name in the bootstrap stack.
    expect(read('stacks', 'bootstrap-stack.ts')).toMatch(new RegExp(`new TerraformOutput\\(this, '${ROLE_OUTPUT}'`));
    expect(checkDeployRole(deploy, DEPLOY.job, ROLE_VARIABLE, ROLE_OUTPUT)).toEqual([]);
    expect(checkDeployConcurrency(deploy, DEPLOY.job)).toEqual([]);
  });

  it('deploy.yml reuses ci.yml for its checks, pushes the SHA-tagged image, deploys, then smoke-checks', () => {
    const deploy = byFile('deploy.yml');
    expect(byFile('ci.yml').on).toHaveProperty('workflow_call');
    expect(Object.keys(deploy.on)).toEqual(expect.arrayContaining(['push']));
    const checks = Object.entries(deploy.jobs).find(([, job]) => job.uses === './.github/workflows/ci.yml');
    expect(checks).toBeDefined();
    expect([deploy.jobs.deploy.needs].flat()).toContain(checks![0]);

    const push = stepIndex(
      deploy,
      'deploy',
      (step) =>
        !!step.uses?.startsWith('docker/build-push-action@') &&
        step.with?.push === true &&
        String(step.with?.tags).endsWith(':${{ github.sha }}'),
    );
    const cdktfDeploy = stepIndex(deploy, 'deploy', (step) =>
      /MONOENV_IMAGE_TAG=\$\{\{ github\.sha \}\} npx cdktf deploy production --auto-approve/.test(step.run ?? ''),
    );
    const smoke = stepIndex(deploy, 'deploy', (step) => /\bnpx monoenv smoke\b/.test(step.run ?? ''));
    expect(push).toBeGreaterThanOrEqual(0);
    expect(cdktfDeploy).toBeGreaterThan(push);
    expect(smoke).toBeGreaterThan(cdktfDeploy);
  });

  it('ci.yml validates each stack, audits dependencies and fails its Trivy scans on HIGH/CRITICAL', () => {
    const ci = byFile('ci.yml');
    const commands = commandsOf(ci);
    expect(commands).toEqual(expect.arrayContaining(['npm audit --audit-level=high']));
    expect(commands.some((command) => /terraform .*init -backend=false/.test(command))).toBe(true);
    expect(commands.some((command) => /terraform .*validate/.test(command))).toBe(true);
    const trivy = Object.values(ci.jobs)
      .flatMap((job) => job.steps ?? [])
      .filter((step) => step.uses?.startsWith('aquasecurity/trivy-action@'));
    expect(trivy.map((step) => step.with?.['scan-type']).sort()).toEqual(['config', 'image']);
    for (const step of trivy) expect([step.with?.severity, String(step.with?.['exit-code'])]).toEqual(['HIGH,CRITICAL', '1']);
    expect(ci.text).toContain('examples/checkout-service/Dockerfile');
  });

  it('scheduled-scan.yml runs daily on a schedule and reuses the scans', () => {
    const scheduled = byFile('scheduled-scan.yml');
    expect(checkSchedule(scheduled)).toEqual([]);
    expect(
      Object.values(scheduled.jobs).some((job) => job.uses === './.github/workflows/ci.yml' && job.with?.['scans-only'] === true),
    ).toBe(true);
  });
});

describe('the workflow rules catch what they are for', () => {
  const jobsWith = (steps: string) => `on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;

  it('a README test command the workflow does not run exactly', () => {
    const readmeText = '# x\n\n```bash\nnpm ci && npm run synth   # build\nnpm test                  # tests\n```\n';
    expect(readmeTestCommand(readmeText)).toBe('npm test');
    expect(() => readmeTestCommand('```\nnpm ci\n```')).toThrow('no `npm test` line');
    const workflow = snippet(jobsWith('      - run: npm ci\n      - run: npm test -- --ci\n'));
    expect(checkRunsCommands(workflow, readmeCommands(readmeText))).toEqual([
      'bad.yml: does not run `npm run synth`',
      'bad.yml: does not run `npm test`',
    ]);
  });

  it('an npm script or monoenv command that does not exist', () => {
    const workflow = snippet(
      jobsWith('      - run: |\n          npm ci\n          npm run lint && npm test\n          npx monoenv smokecheck\n'),
    );
    expect(checkNpmScriptsExist(workflow, { test: 'jest' })).toEqual([
      "bad.yml: `npm run lint` calls npm script 'lint', which package.json does not have",
    ]);
    expect(checkMonoenvCommandsExist(workflow, ['smoke'])).toEqual([
      "bad.yml: `npx monoenv smokecheck` runs monoenv command 'smokecheck', which cli/main.ts does not have",
    ]);
  });

  it('actions on a branch, without a version, or on a SHA nobody can read', () => {
    const workflow = snippet(
      jobsWith(
        [
          '      - uses: actions/checkout@main',
          '      - uses: aquasecurity/trivy-action@master',
          '      - uses: some/action',
          '      - uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83',
          '      - uses: docker://alpine:latest',
          '      - uses: actions/setup-node@6044e13b5dc448c55e2357c09f80417699197238 # v6.2.0',
          '      - uses: aquasecurity/trivy-action@0.35.0',
          '      - uses: ./local-action',
          '',
        ].join('\n'),
      ),
    );
    expect(checkPinnedActions(workflow)).toEqual([
      "bad.yml: actions/checkout@main is pinned to 'main', a branch or moving name, not a version",
      "bad.yml: aquasecurity/trivy-action@master is pinned to 'master', a branch or moving name, not a version",
      'bad.yml: some/action has no version',
      "bad.yml: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 is pinned to a SHA without a '# vX.Y.Z' comment saying which release it is",
      'bad.yml: docker://alpine:latest is not pinned to an image digest',
    ]);
    expect(checkPinnedActions(snippet('on: push\njobs:\n  call:\n    uses: acme/pipelines/.github/workflows/ci.yml@main\n'))).toEqual([
      "bad.yml: acme/pipelines/.github/workflows/ci.yml@main is pinned to 'main', a branch or moving name, not a version",
    ]);
  });

  it('id-token: write anywhere but the deploy job, or not on it', () => {
    const everywhere = snippet(
      'on: push\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps: []\n',
      'deploy.yml',
    );
    expect(checkIdTokenOnlyIn([everywhere], DEPLOY)).toEqual([
      'deploy.yml: grants id-token: write to every job; grant it only to the deploy job',
      "deploy.yml: job 'deploy' does not request id-token: write, so it cannot assume the deploy role over OIDC",
    ]);
    const otherJob = snippet('on: push\njobs:\n  test:\n    permissions: write-all\n    runs-on: ubuntu-latest\n    steps: []\n', 'ci.yml');
    expect(checkIdTokenOnlyIn([otherJob, byFile('deploy.yml')], DEPLOY)).toEqual([
      "ci.yml: job 'test' grants id-token: write; only deploy.yml job 'deploy' may",
    ]);
  });

  it('stored AWS keys, as env or as action inputs', () => {
    const workflow = snippet(
      jobsWith(
        [
          '      - uses: aws-actions/configure-aws-credentials@v6',
          '        with:',
          '          aws-access-key-id: ${{ secrets.DEPLOY_KEY_ID }}',
          '      - run: aws s3 ls',
          '        env:',
          '          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET }}',
          '',
        ].join('\n'),
      ),
    );
    expect(checkNoAwsKeys(workflow)).toEqual([
      'bad.yml: uses stored AWS credentials (aws-access-key-id); assume the deploy role over OIDC instead',
      'bad.yml: uses stored AWS credentials (AWS_SECRET_ACCESS_KEY); assume the deploy role over OIDC instead',
      'bad.yml: uses stored AWS credentials (secrets.AWS_SECRET); assume the deploy role over OIDC instead',
    ]);
  });

  it('a deploy without a concurrency group, or one that cancels a running deploy', () => {
    expect(checkDeployConcurrency(snippet('on: push\njobs:\n  deploy:\n    steps: []\n'), 'deploy')).toEqual([
      "bad.yml: job 'deploy' has no concurrency group, so two deploys can run at once",
    ]);
    expect(
      checkDeployConcurrency(
        snippet('on: push\nconcurrency:\n  group: prod\n  cancel-in-progress: true\njobs:\n  deploy:\n    steps: []\n'),
        'deploy',
      ),
    ).toEqual(["bad.yml: job 'deploy' cancels a running deploy (cancel-in-progress: true), which can stop terraform halfway"]);
    expect(checkDeployConcurrency(snippet('on: push\nconcurrency: prod\njobs:\n  deploy:\n    steps: []\n'), 'deploy')).toEqual([]);
  });

  it('a role that is not the variable holding the bootstrap output', () => {
    const hardCoded = snippet(
      [
        'on: push',
        'jobs:',
        '  deploy:',
        '    steps:',
        '      - uses: aws-actions/configure-aws-credentials@v6',
        '        with:',
        '          role-to-assume: arn:aws:iam::123456789012:role/deployer',
        '',
      ].join('\n'),
    );
    expect(checkDeployRole(hardCoded, 'deploy', ROLE_VARIABLE, ROLE_OUTPUT)).toEqual([
      "bad.yml: role-to-assume is 'arn:aws:iam::123456789012:role/deployer', not the repository variable vars.MONOENV_DEPLOY_ROLE_ARN",
      "bad.yml: never names the bootstrap output 'deploy_role_arn' that MONOENV_DEPLOY_ROLE_ARN holds",
    ]);
    const throughEnv = snippet(
      [
        'on: push',
        'env:',
        '  ROLE: ${{ vars.MONOENV_DEPLOY_ROLE_ARN }} # the deploy_role_arn output',
        'jobs:',
        '  deploy:',
        '    steps:',
        '      - uses: aws-actions/configure-aws-credentials@v6',
        '        with:',
        '          role-to-assume: ${{ env.ROLE }}',
        '',
      ].join('\n'),
    );
    expect(checkDeployRole(throughEnv, 'deploy', ROLE_VARIABLE, ROLE_OUTPUT)).toEqual([]);
    expect(checkDeployRole(snippet('on: push\njobs:\n  deploy:\n    steps: []\n'), 'deploy', ROLE_VARIABLE, ROLE_OUTPUT)[0]).toBe(
      "bad.yml: job 'deploy' never runs aws-actions/configure-aws-credentials",
    );
  });

  it('a "scheduled" workflow without a cron schedule, and files that are not workflows', () => {
    expect(checkSchedule(snippet('on:\n  workflow_dispatch:\njobs: {}\n'))).toEqual([
      'bad.yml: has no schedule trigger with a cron expression',
    ]);
    expect(checkSchedule(snippet("on:\n  schedule:\n    - cron: 'daily'\njobs: {}\n"))).toEqual([
      'bad.yml: has no schedule trigger with a cron expression',
    ]);
    expect(() => parseWorkflow('x.yml', 'on: push\njobs: [')).toThrow(/^x\.yml: /);
    expect(() => parseWorkflow('x.yml', 'on: push\n')).toThrow('x.yml: a workflow needs a jobs map');
  });
});
