import { missingNeed, needsVerdict } from './needs';

// A terraform that cannot exist, so the rule is tested whatever this machine has.
const noTerraform = { ...process.env, MONOENV_TERRAFORM: '/nonexistent/terraform', CI: '' };

describe('suites that need a real part', () => {
  it('are skipped with the reason where the part is missing', () => {
    expect(missingNeed(['terraform'], noTerraform)).toMatch(/^terraform: '\/nonexistent\/terraform' is not on the PATH/);
    expect(needsVerdict(['terraform'], noTerraform)).toEqual({ run: false, skipReason: expect.stringContaining('/nonexistent/terraform') });
  });

  it('fail in CI instead of skipping', () => {
    expect(() => needsVerdict(['terraform', 'moto'], { ...noTerraform, CI: 'true' })).toThrow(
      /^CI must run the suites that need terraform and moto: terraform: /,
    );
  });

  it('run where the parts are there', () => {
    expect(needsVerdict([], { CI: 'true' })).toEqual({ run: true });
  });
});
