import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { browserUrlProblem } from '../../src/core/browser-url.js';
import {
  commandLaunch,
  type Launch,
  openInBrowser,
  splitCommand,
  urlVariable,
  wslOpener,
} from '../../src/platform/browser.js';

const none = () => false;

describe('--browser-command split into words', () => {
  it.each([
    ['firefox', 'linux', ['firefox']],
    ['open -a Firefox', 'darwin', ['open', '-a', 'Firefox']],
    ['  firefox   --private-window ', 'linux', ['firefox', '--private-window']],
    ['"/opt/my browser/run" --new-tab', 'linux', ['/opt/my browser/run', '--new-tab']],
    ["'/opt/my browser/run' --new-tab", 'linux', ['/opt/my browser/run', '--new-tab']],
    ['/Applications/Google\\ Chrome.app/x --a', 'darwin', ['/Applications/Google Chrome.app/x', '--a']],
    ['open -a "Google Chrome"', 'darwin', ['open', '-a', 'Google Chrome']],
    ['run --title="a b" x', 'linux', ['run', '--title=a b', 'x']],
    ['run "say \\"hi\\""', 'linux', ['run', 'say "hi"']],
    ['run ""', 'linux', ['run', '']],
    [
      '"C:\\Program Files\\Mozilla Firefox\\firefox.exe" -private-window',
      'win32',
      ['C:\\Program Files\\Mozilla Firefox\\firefox.exe', '-private-window'],
    ],
    ['C:\\tools\\open.cmd --x', 'win32', ['C:\\tools\\open.cmd', '--x']],
    ['"C:\\my tools\\open.bat"', 'win32', ['C:\\my tools\\open.bat']],
  ] as const)('%s (%s)', (command, platform, words) => {
    expect(splitCommand(command, platform, none)).toEqual(words);
  });

  it('a value naming an existing file is one word, spaces and all (int128/kubelogin)', () => {
    const path = 'C:\\Program Files\\browser.exe';
    expect(splitCommand(path, 'win32', (p) => p === path)).toEqual([path]);
  });
});

const url =
  'https://idp.example.com/auth?client_id=kube&state=a%20b&redirect_uri=http%3A%2F%2Flocalhost%3A8000';

describe('how --browser-command is started', () => {
  it.each([
    ['linux', ['/usr/bin/firefox', '--new-tab']],
    ['darwin', ['open', '-a', 'Firefox']],
    ['linux', ['/opt/run.cmd']],
    ['win32', ['C:\\Program Files\\Firefox\\firefox.exe', '-private-window']],
    ['win32', ['C:\\tools\\BROWSER.EXE']],
  ] as const)('%s %o: directly, the URL as the last argument', (platform, words) => {
    expect(commandLaunch(words, url, platform, {})).toEqual({
      file: words[0],
      args: [...words.slice(1), url],
      verbatim: false,
      env: {},
    });
  });

  it.each([
    [['C:\\tools\\open.cmd'], 'C:\\tools\\open.cmd'],
    [['C:\\my tools\\open.BAT', '--new window'], '"C:\\my tools\\open.BAT" "--new window"'],
    [['code', '--reuse-window'], 'code --reuse-window'],
    [['C:\\a&b\\x.cmd'], '"C:\\a&b\\x.cmd"'],
  ] as const)('Windows %o: through cmd.exe, the URL never on its command line', (words, line) => {
    const launch = commandLaunch(words, url, 'win32', { ComSpec: 'C:\\Windows\\system32\\cmd.exe' });
    expect(launch).toEqual({
      file: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/v:off', '/s', '/c', `"${line} "%${urlVariable}%""`],
      verbatim: true,
      env: { [urlVariable]: url },
    });
    expect(launch.args.join(' ')).not.toContain('&state');
  });

  it('Windows without ComSpec: cmd.exe from PATH', () => {
    expect(commandLaunch(['x.cmd'], url, 'win32', {}).file).toBe('cmd.exe');
  });

  it('a double quote cannot end the quoted URL early', () => {
    expect(commandLaunch(['x.cmd'], 'https://a/?q="&calc', 'win32', {}).env).toEqual({
      [urlVariable]: 'https://a/?q=%22&calc',
    });
  });
});

describe('WSL opener', () => {
  it.each([
    ['linux', { WSL_DISTRO_NAME: 'Ubuntu' }, true, 'wslview'],
    ['linux', { WSL_INTEROP: '/run/WSL/1_interop' }, true, 'wslview'],
    ['linux', { WSL_DISTRO_NAME: 'Ubuntu' }, false, undefined],
    ['linux', {}, true, undefined],
    ['win32', { WSL_DISTRO_NAME: 'Ubuntu' }, true, undefined],
  ] as const)('%s %o, wslview on PATH: %s → %s', (platform, env, present, file) => {
    const launch = wslOpener(url, platform, env, (name) => present && name === 'wslview');
    expect(launch?.file).toBe(file);
    if (launch) expect(launch.args).toEqual([url]);
  });
});

/** A child process stand-in: what spawn returned, to which the test makes things happen. */
function fakeChild(exitCode: number | null = null) {
  return Object.assign(new EventEmitter(), { exitCode, unref() {} }) as unknown as ReturnType<
    typeof import('node:child_process').spawn
  >;
}

function recordingLogger() {
  const warnings: string[] = [];
  return {
    warnings,
    logger: { info() {}, debug() {}, warn: (message: string) => warnings.push(message) },
  };
}

describe('a browser that cannot be started', () => {
  it('spawn throwing at once (a .cmd without a shell: EINVAL) is reported, and the login goes on', async () => {
    const { warnings, logger } = recordingLogger();
    const spawn = () => {
      throw Object.assign(new Error('spawn EINVAL'), { code: 'EINVAL' });
    };
    await openInBrowser(
      url,
      { source: 'test', command: 'C:\\tools\\open.exe', verbosity: 0, logger },
      { platform: 'win32', env: {}, spawn, onPath: none },
    );
    expect(warnings).toEqual([
      'no browser could be opened (--browser-command C:\\tools\\open.exe: spawn EINVAL); open the URL above in your browser',
    ]);
  });

  it('spawn failing later (ENOENT) is reported', async () => {
    const { warnings, logger } = recordingLogger();
    const child = fakeChild();
    const launches: Launch[] = [];
    await openInBrowser(
      url,
      { source: 'test', command: 'no-such-browser', verbosity: 0, logger },
      {
        platform: 'linux',
        env: {},
        onPath: none,
        spawn: (launch) => {
          launches.push(launch);
          return child;
        },
      },
    );
    expect(launches.map((launch) => launch.args)).toEqual([[url]]);
    child.emit('error', new Error('spawn no-such-browser ENOENT'));
    expect(warnings).toEqual([
      'no browser could be opened (--browser-command no-such-browser: spawn no-such-browser ENOENT); open the URL above in your browser',
    ]);
  });

  it.each([
    [null, 3, true],
    [null, 0, false],
    [1, undefined, true],
    [0, undefined, false],
  ])('wslview on WSL: exit code %s (or later %s) → reported: %s', async (atOnce, later, reported) => {
    const { warnings, logger } = recordingLogger();
    const child = fakeChild(atOnce);
    await openInBrowser(
      url,
      { source: 'test', command: undefined, verbosity: 0, logger },
      {
        platform: 'linux',
        env: { WSL_DISTRO_NAME: 'Ubuntu' },
        spawn: () => child,
        onPath: (name) => name === 'wslview',
      },
    ).catch(() => undefined);
    if (later !== undefined) child.emit('exit', later);
    expect(warnings.length > 0).toBe(reported);
  });
});

describe('only http(s) URLs reach a browser (a provider could pass switches)', () => {
  it.each([
    ['https://issuer.example/device?user_code=ABCD-EFGH', undefined],
    ['http://localhost:8000/start', undefined],
    ['--renderer-cmd-prefix=/bin/sh -c id', /starts with "-"/],
    ['-https://issuer.example/', /starts with "-"/],
    ['javascript:alert(1)//', /scheme is javascript:/],
    ['file:///etc/passwd', /scheme is file:/],
    ['data:text/html,hi', /scheme is data:/],
    ['issuer.example/device', /not an absolute URL/],
    [' https://issuer.example/', /spaces or control characters/],
    ['https://issuer.example/\u001b[2J', /spaces or control characters/],
    ['https://issuer.example/ --renderer-cmd-prefix=x', /spaces or control characters/],
  ])('%j → %s', (value, problem) => {
    const found = browserUrlProblem(value);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it('openInBrowser refuses a switch with exit code 3 naming its source, and starts nothing', async () => {
    const { logger } = recordingLogger();
    const launches: Launch[] = [];
    const opening = openInBrowser(
      '--renderer-cmd-prefix=/bin/sh -c id',
      { source: 'verification_uri_complete', command: 'chromium --new-window', verbosity: 0, logger },
      {
        platform: 'linux',
        env: {},
        onPath: none,
        spawn: (launch) => {
          launches.push(launch);
          return fakeChild();
        },
      },
    );
    await expect(opening).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringContaining("the identity provider's verification_uri_complete cannot be opened"),
    });
    expect(launches).toEqual([]);
  });
});
