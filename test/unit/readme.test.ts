/** What a new user reads first: the README's first screen stays two commands, and its tables render. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('has exactly the two set-up commands (demo, test) on its first screen', () => {
    const firstScreen = readme.slice(0, readme.indexOf('\n---\n'));
    const commands = [...firstScreen.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
      (block[1] as string).split('\n').filter(Boolean),
    );
    expect(commands.map((line) => line.replace(/\s+#.*$/, ''))).toEqual([
      'npm ci && npm run demo',
      'npm ci && npm test',
    ]);
  });

  it('walks from a clone to kubectl get pods on the playground right after the first screen', () => {
    const next = readme.slice(readme.indexOf('\n---\n'), readme.indexOf('\n## Install'));
    for (const step of [
      'git clone',
      'npm ci',
      'npm run provider',
      'export PATH=',
      'export KUBECONFIG=',
      'kubectl get pods',
    ])
      expect(next).toContain(step);
  });

  it('has no blank line inside a table (it would end the table where it renders)', () => {
    const lines = readme.split('\n');
    const broken = lines.filter(
      (line, index) => line === '' && lines[index - 1]?.startsWith('|') && lines[index + 1]?.startsWith('|'),
    );
    expect(broken).toEqual([]);
  });
});
