import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../src/terminal/progress-bar.js';
import { Capture, cleanEnv, eventually, runCli, tempDir } from './support/cli-harness.js';

describe('interrupting a one-shot chat', () => {
  it('cancels the run durably and exits 130', async () => {
    const home = await tempDir('ls-cli-int-');
    try {
      const controller = new AbortController();
      const stdout = new Capture();
      const slow = '[[fake-script {"text":"too late","firstTokenDelayMs":30000}]]';
      const done = runCli(['chat', '--provider', 'fake', '--data-dir', ':memory:', '--json', slow], { env: cleanEnv(home.path), stdout, signal: controller.signal });
      // Interrupt once the run is under way (its generation was requested).
      await eventually(() => (stdout.text.includes('turnGenerationRequested') ? true : undefined), 30_000);
      controller.abort();
      const run = await done;
      expect(run.code).toBe(130);
      const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
      expect(result).toMatchObject({ type: 'result', status: 'cancelled', answer: '' });
    } finally {
      await home.remove();
    }
  }, 60_000);
});

describe('progress bars', () => {
  it('redraw one stderr line on a terminal and end it with a newline', () => {
    const out = new Capture();
    out.isTTY = true;
    const bar = new ProgressBar(out, 'snapshot');
    bar.update(0, 4);
    bar.update(4, 4, '1.0 KiB');
    bar.finish();
    expect(out.text).toContain('\rsnapshot [------------------------] 0/4');
    expect(out.text).toContain('\rsnapshot [########################] 4/4 1.0 KiB');
    expect(out.text.endsWith('\n')).toBe(true);
  });

  it('stay silent when the output is not a terminal', () => {
    const out = new Capture();
    const bar = new ProgressBar(out, 'upload');
    bar.update(1, 2);
    bar.update(2, 2);
    bar.finish();
    expect(out.text).toBe('');
  });
});
