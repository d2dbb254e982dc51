import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadJourneys, parseJourneys, serializeJourneys } from '../../../domain/journeys/journey-schema';
import { tempDir } from '../../support/temp';
import { REPO_ROOT } from '../../support/paths';

function dirWith(files: Record<string, unknown>): string {
  const dir = tempDir('journeys-');
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const valid = { name: 'checkout', steps: ['a', 'b'], conversionWindowSeconds: 60 };

describe('loadJourneys', () => {
  it('loads the example journeys of the repository', () => {
    const journeys = loadJourneys(join(REPO_ROOT, 'journeys'));
    expect(journeys.map((j) => j.name)).toEqual(['checkout', 'onboarding']);
    expect(journeys[1].order).toBe('strict');
  });

  it('defaults order to sequential', () => {
    expect(loadJourneys(dirWith({ 'c.json': valid }))[0].order).toBe('sequential');
  });

  it('lists every issue naming the file, the journey and the field', () => {
    const dir = dirWith({
      'a.json': { name: 'bad name!', steps: [], conversionWindowSeconds: 0 },
      'b.json': { name: 'dupes', steps: ['x', 'y', 'x'], conversionWindowSeconds: 1.5, order: 'random' },
      'c.json': valid,
      'd.json': { ...valid, steps: ['$exposure', ' padded'] },
      'e.json': valid,
    });
    let message = '';
    try {
      loadJourneys(dir);
    } catch (err) {
      message = (err as Error).message;
    }
    const lines = message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/a\.json: journey "bad name!": name: must be 1-64 characters/),
        expect.stringMatching(/a\.json: journey "bad name!": steps: a journey needs at least two steps/),
        expect.stringMatching(/a\.json: journey "bad name!": conversionWindowSeconds: must be positive/),
        expect.stringMatching(/b\.json: journey "dupes": steps\.2: duplicate step "x"/),
        expect.stringMatching(/b\.json: journey "dupes": conversionWindowSeconds: must be a whole number/),
        expect.stringMatching(/b\.json: journey "dupes": order: /),
        expect.stringMatching(/d\.json: journey "checkout": steps\.0: "\$exposure" is reserved/),
        expect.stringMatching(/d\.json: journey "checkout": steps\.1: a step must not start or end with whitespace/),
        expect.stringMatching(/e\.json: journey "checkout": name: duplicate journey name \(also in .*c\.json\)/),
      ]),
    );
    expect(lines).toHaveLength(9);
  });

  it('rejects unknown fields and broken JSON', () => {
    expect(() => loadJourneys(dirWith({ 'x.json': { ...valid, stepz: [] } }))).toThrow(/x\.json: journey "checkout": \(journey\): .*stepz/);
    expect(() => loadJourneys(dirWith({ 'y.json': '{"name":' }))).toThrow(/y\.json: not valid JSON/);
  });
});

describe('parseJourneys (the Lambda side)', () => {
  it('round-trips serializeJourneys', () => {
    const journeys = loadJourneys(join(REPO_ROOT, 'journeys'));
    expect(parseJourneys(serializeJourneys(journeys))).toEqual(journeys);
  });

  it('explains a missing or malformed value', () => {
    expect(() => parseJourneys(undefined)).toThrow(/JOURNEYS is not set/);
    expect(() => parseJourneys('{}')).toThrow(/must be a JSON array/);
    expect(() => parseJourneys('[{"name":"x"}]')).toThrow(/JOURNEYS\[0\]: journey "x": steps/);
  });
});
