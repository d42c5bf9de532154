import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_FROM_SOURCE, cleanEnv, eventually, REPO_ROOT, tempDir } from './support/cli-harness.js';

const run = promisify(execFile);
// A private tmux server, so the test neither sees nor disturbs the user's own sessions.
const socket = `ls-cli-test-${process.pid}`;
const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args]);

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/*
 * Drives `lightspeed chat` in a real terminal (tmux; installed by scripts/setup.d/tmux.sh) and reads
 * the screen the way a user sees it.
 */
describe('interactive chat in a terminal', () => {
  const session = `ls-cli-test-${process.pid}`;
  let home: { path: string; remove(): Promise<void> };
  const screen = async () => (await tmux('capture-pane', '-p', '-J', '-t', session, '-S', '-500')).stdout;
  const type = async (text: string) => {
    await tmux('send-keys', '-t', session, '-l', text);
    await tmux('send-keys', '-t', session, 'Enter');
  };

  beforeAll(async () => {
    home = await tempDir('ls-cli-tty-');
    const project = join(home.path, 'project');
    await mkdir(project);
    await writeFile(join(project, 'README.md'), '# demo\n');
    await writeFile(join(project, 'notes.txt'), 'remember the milk\n');
    const env = cleanEnv(home.path);
    const assignments = Object.entries(env).map(([key, value]) => `${key}=${shellQuote(value ?? '')}`);
    // 80 ms between streamed events, so a screen capture can catch the answer half-written.
    const cli = [...CLI_FROM_SOURCE, 'chat', '--provider', 'fake', '--data-dir', ':memory:', '--mount', project, '--fake-latency-ms', '80'];
    const command = `cd ${shellQuote(REPO_ROOT)} && env -i ${assignments.join(' ')} TERM=xterm ${cli.map(shellQuote).join(' ')}; echo "[exit $?]"; sleep 60`;
    await tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50', command);
  });
  afterAll(async () => {
    await tmux('kill-server').catch(() => undefined);
    await home?.remove();
  });

  it('shows streamed text, a tool trace and the final answer, and quits on /quit', async () => {
    await eventually(async () => ((await screen()).includes('you> ') ? true : undefined), 90_000);
    expect(await screen()).toMatch(/session ses_\S+ · model fake\/fake-model · \/help for commands/);

    await type('say something long enough to stream in several pieces');
    const full = 'You said: say something long enough to stream in several pieces';
    // Streaming: some frame shows the reply started but not finished.
    let partial: string | undefined;
    await eventually(
      async () => {
        const text = await screen();
        const reply = text.slice(text.lastIndexOf('[fake model'));
        if (text.includes('[fake model') && !reply.includes(full)) partial ??= reply;
        return text.includes(full) ? true : undefined;
      },
      30_000,
      15,
    );
    expect(partial, 'a frame with the reply half-written').toBeDefined();

    await eventually(async () => ((await screen()).trimEnd().endsWith('you>') ? true : undefined), 30_000);
    await type('list files');
    const after = await eventually(async () => {
      const text = await screen();
      return text.includes('Tool results received') && text.includes('notes.txt') && text.trimEnd().endsWith('you>') ? text : undefined;
    }, 30_000);
    expect(after).toMatch(/> tool list_dir\(\{.*\}\)/);
    expect(after).toContain('< tool list_dir: ok');
    expect(after).toMatch(/list_dir returned: \/workspace\/\s+README\.md \(7 bytes\)\s+notes\.txt \(18 bytes\)/);

    // A scripted slow reply keeps a run open for /steer and /cancel.
    await type('[[fake-script {"text":"never shown","firstTokenDelayMs":30000}]]');
    await eventually(async () => ((await screen()).includes('fake-script') ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await type('/steer also look at notes.txt');
    await eventually(async () => ((await screen()).includes('(steering accepted)') ? true : undefined), 15_000);
    await type('/cancel');
    await eventually(async () => (/run run_\d+ cancelled/.test(await screen()) ? true : undefined), 15_000);
    // Only the typed line mentions it: the cancelled reply never reached the screen.
    expect((await screen()).split('never shown').length - 1).toBe(1);

    await type('/model');
    await eventually(async () => ((await screen()).includes('model: fake/fake-model') ? true : undefined));
    await type('/model fake/fake-echo');
    await eventually(async () => ((await screen()).includes('model: fake/fake-echo') ? true : undefined));
    await type('/sessions');
    const listed = await eventually(async () => /^\* (ses_\S+)\s+open/m.exec(await screen())?.[1]);
    await type(`/session ${listed}`);
    await eventually(async () => ((await screen()).includes(`now in session ${listed}`) ? true : undefined));
    await type('/session ses_nope');
    await eventually(async () => ((await screen()).includes('error: session/read:') ? true : undefined));

    await type('/help');
    await eventually(async () => ((await screen()).includes('/steer <text>') ? true : undefined));
    await type('/quit');
    await eventually(async () => ((await screen()).includes('[exit 0]') ? true : undefined), 15_000);
  }, 180_000);
});
