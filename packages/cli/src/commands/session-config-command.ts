import type { Command } from 'commander';
import { applyConfigEdits, parseSet, parseUnset, type ConfigEdit } from './config-edits.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';

type Flags = { json?: boolean; provider?: string; set?: ConfigEdit[]; unset?: ConfigEdit[]; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

const collect = (parse: (text: string) => ConfigEdit) => (text: string, previous: ConfigEdit[] = []) => [...previous, parse(text)];

/**
 * `lightspeed sessions config <id>`: shows the session's config (session/read); with --set/--unset
 * it edits fields and replaces the config with session/config/put under the revision it read, so
 * a concurrent change is a conflict rather than lost. The server validates the result as it
 * validates any config (unknown or unsupported fields are refused, naming them).
 */
export function registerSessionConfig(sessions: Command, ctx: CommandContext): void {
  withServerOptions(
    sessions
      .command('config')
      .description("show a session's config, or change fields of it")
      .argument('<sessionId>')
      .option('--set <path=value>', 'set a field (repeatable); the value is JSON when it parses, else text', collect(parseSet))
      .option('--unset <path>', 'remove a field (repeatable; applied after the sets)', collect(parseUnset))
      .option('--provider <id>', "embedded server: register this provider (the session's, e.g. fake) so a changed config can be checked against it")
      .option('--json', 'print {sessionId, configRevision, config} as JSON')
      .addHelpText(
        'after',
        "\nExamples:\n  lightspeed sessions config ses_…\n  lightspeed sessions config ses_… --set limits.maxTurns=8 --set generation.reasoningEffort=low\n  lightspeed sessions config ses_… --set 'features.vfs.skills={}'  (add --provider fake for a fake session)\n  lightspeed sessions config ses_… --unset limits.maxTurns",
      ),
  ).action(async (sessionId: string, flags: Flags) => {
    const edits = [...(flags.set ?? []), ...(flags.unset ?? [])];
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      let { session } = await client.call<{ session: any }>('session/read', { sessionId });
      if (edits.length > 0) {
        const config = applyConfigEdits(session.config ?? {}, edits);
        ({ session } = await client.call<{ session: any }>('session/config/put', { sessionId, config, expectedConfigRevision: session.configRevision }));
      }
      if (flags.json) return writeJson(ctx, { sessionId: session.id, configRevision: session.configRevision, config: session.config ?? null });
      ctx.io.stdout.write(`session ${session.id} · config revision ${session.configRevision}${edits.length > 0 ? ' (updated)' : ''}\n`);
      ctx.io.stdout.write(`${JSON.stringify(session.config ?? null, null, 2)}\n`);
    });
  });
}
