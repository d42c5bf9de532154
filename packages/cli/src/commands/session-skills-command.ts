import type { Command } from 'commander';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';

type Flags = { json?: boolean; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

interface ActivationView {
  skillId: string;
  name?: string | null;
  scope: string;
}

function activationLine(activation: ActivationView): string {
  return `${activation.name ?? '(not in the catalog now)'}\t${activation.skillId}\t${activation.scope}`;
}

/**
 * `lightspeed sessions skills list|active|activate|deactivate`: the v1 contract's session/skills/*.
 * An activation is a logged context entry of the session (it survives restarts and is sent to the
 * model from the next turn on); skills must be granted in the session config (features.vfs.skills).
 */
export function registerSessionSkills(sessions: Command, ctx: CommandContext): void {
  const skills = sessions
    .command('skills')
    .description("a session's skills (SKILL.md folders under its skill roots): list, active, activate, deactivate")
    .addHelpText('after', '\nExamples:\n  lightspeed sessions skills list ses_…\n  lightspeed sessions skills activate ses_… pdf-tools\n  lightspeed sessions skills deactivate ses_… pdf-tools');
  const out = (line: string) => ctx.io.stdout.write(`${line}\n`);

  withServerOptions(skills.command('list').description('the skills the session can activate, and which are active').argument('<sessionId>').option('--json', 'print the JSON-RPC result')).action(
    async (sessionId: string, flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<{ catalogRef?: string | null; skills: { skillId: string; name: string; description: string; active: boolean }[] }>('session/skills/list', { sessionId });
        if (flags.json) return writeJson(ctx, result);
        if (result.catalogRef == null) {
          ctx.io.stderr.write(`session ${sessionId} has no skills granted; grant them with: lightspeed sessions config ${sessionId} --set 'features.vfs.skills={}'\n`);
          return;
        }
        if (result.skills.length === 0) ctx.io.stderr.write('no skills found under the skill roots (/skills, /.lightspeed/skills of each mount, or the configured roots)\n');
        for (const skill of result.skills) out(`${skill.active ? '*' : ' '} ${skill.name}\t${skill.skillId}\t${skill.description}`);
      });
    },
  );

  withServerOptions(skills.command('active').description('the skills active in the session').argument('<sessionId>').option('--json', 'print the JSON-RPC result')).action(async (sessionId: string, flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ activations: ActivationView[] }>('session/skills/active', { sessionId });
      if (flags.json) return writeJson(ctx, result);
      if (result.activations.length === 0) ctx.io.stderr.write('no skills active\n');
      for (const activation of result.activations) out(activationLine(activation));
    });
  });

  withServerOptions(
    skills
      .command('activate')
      .description("put a skill's instructions into the session context (for the session, or with --for-run the current or next run; activating again changes nothing)")
      .argument('<sessionId>')
      .argument('<skill>', 'skill id (its folder, as `list` shows) or name')
      .option('--for-run', 'only until the active run ends (or the next one, if the session is idle)')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (sessionId: string, skill: string, flags: Flags & { forRun?: boolean }) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ activation: ActivationView }>('session/skills/activate', { sessionId, skillId: skill, scope: flags.forRun ? 'run' : 'session' });
      if (flags.json) return writeJson(ctx, result);
      out(`activated ${activationLine(result.activation)}`);
    });
  });

  withServerOptions(
    skills
      .command('deactivate')
      .description("remove an active skill's instructions from the session context")
      .argument('<sessionId>')
      .argument('<skill>', 'skill id or name')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (sessionId: string, skill: string, flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ skillId: string }>('session/skills/deactivate', { sessionId, skillId: skill });
      if (flags.json) return writeJson(ctx, result);
      out(`deactivated ${result.skillId}`);
    });
  });
}
