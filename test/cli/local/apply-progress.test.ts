import { applyProgress } from '../../../cli/local/apply-progress';

describe('terraform apply progress', () => {
  it('prints the plan, a count every tenth of it and slow resources every 30 s, from chunks split anywhere', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = applyProgress(
      0,
      (line) => lines.push(line),
      () => now,
    );
    const output = [
      'Plan: 20 to add, 0 to change, 0 to destroy.',
      ...Array.from({ length: 20 }, (_, i) => `aws_thing.r${i}: Creation complete after 1s [id=r${i}]`),
      'aws_lb.alb: Still creating... [10s elapsed]',
      'aws_lb.alb: Still creating... [30s elapsed]',
      'aws_lb.alb: Still creating... [1m0s elapsed]',
      '',
    ].join('\n');
    now = 12_000;
    for (let i = 0; i < output.length; i += 7) progress.feed(output.slice(i, i + 7));
    expect(lines[0]).toBe('plan: 20 to add, 0 to change, 0 to destroy');
    expect(lines.filter((l) => /^\d+\/20 applied/.test(l))).toHaveLength(10);
    expect(lines).toContain('2/20 applied (12 s)');
    expect(lines).toContain('still creating aws_lb.alb (30 s)');
    expect(lines).toContain('still creating aws_lb.alb (60 s)');
    expect(lines.some((l) => l.includes('(10 s)'))).toBe(false);
    expect(progress.summary()).toBe('20/20 resources applied in 12 s');
  });

  it('says destroyed for a destroy plan', () => {
    const lines: string[] = [];
    const progress = applyProgress(
      0,
      (line) => lines.push(line),
      () => 0,
    );
    progress.feed('Plan: 0 to add, 0 to change, 1 to destroy.\naws_x.y: Destruction complete after 0s\n');
    expect(lines).toEqual(['plan: 0 to add, 0 to change, 1 to destroy', '1/1 destroyed (0 s)']);
    expect(progress.summary()).toBe('1/1 resources destroyed in 0 s');
  });
});
