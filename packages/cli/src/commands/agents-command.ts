import { resolve } from 'node:path';
import { AgentDefinitionError, agentFiles, agentProfile, agentsDirOf, findProjectAgent, formatProblem, loadAgentFile, loadAgentsDir, type AgentDefinition, type AgentProblem } from '@lightspeed/agents';
import type { Command } from 'commander';
import { CliError, EXIT } from '../cli-error.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';

type Flags = { project?: string; stored?: boolean; json?: boolean; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

const VALIDATE_HINT = 'fix the fields named above; `lightspeed agents validate` checks every agent file (docs/agents.md lists the fields)';

function projectDir(flags: Flags, ctx: CommandContext): string {
  return resolve(ctx.io.cwd, flags.project ?? '.');
}

/** An agent file that does not load, as the CLI reports it: every problem, then what to do. */
export function agentFileError(error: AgentDefinitionError): CliError {
  return new CliError(`invalid agent definition:\n  ${error.problems.map(formatProblem).join('\n  ')}`, EXIT.usage, VALIDATE_HINT);
}

/**
 * The project agent `name`, validated at load: an invalid file stops the command before anything
 * starts. Undefined when the project has no such file (the server may still store one).
 */
export async function projectAgent(dir: string, name: string): Promise<AgentDefinition | undefined> {
  try {
    return await findProjectAgent(dir, name);
  } catch (error) {
    if (error instanceof AgentDefinitionError) throw agentFileError(error);
    throw error;
  }
}

function summary(agent: AgentDefinition): string {
  const model = agent.model ? `${agent.model.providerId}/${agent.model.model}` : 'default model';
  return `${agent.name}\t${model}${agent.description ? `\t${agent.description}` : ''}`;
}

export function registerAgents(program: Command, ctx: CommandContext): void {
  const agents = program.command('agents').description('agent definitions: .lightspeed/agents/NAME.md files and the profiles a server stores');
  const projectOption = (command: Command) => command.option('--project <dir>', 'project directory whose .lightspeed/agents/ holds the agent files (default: the current directory)');

  projectOption(
    agents
      .command('validate')
      .description('check agent files offline: every problem with its file, line and field')
      .argument('[files...]', 'agent files (default: every .lightspeed/agents/*.md of the project)')
      .option('--json', 'print {agents, problems} as JSON'),
  ).action(async (files: string[], flags: Flags) => {
    const paths = files.length > 0 ? files.map((file) => resolve(ctx.io.cwd, file)) : await agentFiles(agentsDirOf(projectDir(flags, ctx)));
    if (paths.length === 0) throw new CliError(`no agent files in ${agentsDirOf(projectDir(flags, ctx))}`, EXIT.failed, 'create NAME.md there (docs/agents.md has an example), or pass files');
    const valid: AgentDefinition[] = [];
    const problems: AgentProblem[] = [];
    for (const path of paths) {
      try {
        const agent = await loadAgentFile(path);
        agentProfile(agent);
        valid.push(agent);
      } catch (error) {
        if (!(error instanceof AgentDefinitionError)) throw error;
        problems.push(...error.problems);
      }
    }
    if (flags.json) writeJson(ctx, { agents: valid.map((agent) => ({ name: agent.name, file: agent.file, profile: agentProfile(agent) })), problems });
    else {
      for (const agent of valid) ctx.io.stdout.write(`ok\t${agent.name}\t${agent.file}\n`);
      for (const problem of problems) ctx.io.stderr.write(`${formatProblem(problem)}\n`);
    }
    if (problems.length > 0) {
      if (!flags.json) ctx.io.stderr.write(`${paths.length - valid.length} of ${paths.length} agent files are invalid\n`);
      ctx.exitCode = EXIT.failed;
    }
  });

  withServerOptions(
    projectOption(
      agents
        .command('list')
        .description("list the project's agent files (or, with --stored, the profiles the server stores)")
        .option('--stored', 'list the agent profiles stored by the server (embedded data dir or --api-url)')
        .option('--json', 'print JSON'),
    ),
  ).action(async (flags: Flags) => {
    if (flags.stored) {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<{ profiles: any[] }>('profiles/list', {});
        if (flags.json) return writeJson(ctx, result);
        if (result.profiles.length === 0) ctx.io.stderr.write('no stored agent profiles; `lightspeed chat --agent NAME` stores the project file NAME.md\n');
        for (const p of result.profiles) ctx.io.stdout.write(`${p.profileId}\trevision ${p.revision}${p.description ? `\t${p.description}` : ''}\n`);
      });
      return;
    }
    const dir = agentsDirOf(projectDir(flags, ctx));
    const loaded = await loadAgentsDir(dir);
    if (flags.json) return writeJson(ctx, { agents: loaded.agents.map(({ name, description, file }) => ({ name, description, file })), problems: loaded.problems });
    if (loaded.agents.length === 0 && loaded.problems.length === 0) ctx.io.stderr.write(`no agent files in ${dir}\n`);
    for (const agent of loaded.agents) ctx.io.stdout.write(`${summary(agent)}\n`);
    for (const problem of loaded.problems) ctx.io.stderr.write(`invalid: ${formatProblem(problem)}\n`);
    if (loaded.problems.length > 0) ctx.exitCode = EXIT.failed;
  });

  withServerOptions(
    projectOption(
      agents
        .command('show')
        .description('print an agent as the profile document the server stores (from its project file, or with --stored from the server)')
        .argument('<name>', 'agent name (the file NAME.md)')
        .option('--stored', 'read the profile stored by the server instead of the project file'),
    ),
  ).action(async (name: string, flags: Flags) => {
    if (flags.stored) {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => writeJson(ctx, (await client.call<{ profile: unknown }>('profiles/read', { profileId: name })).profile));
      return;
    }
    const agent = await projectAgent(projectDir(flags, ctx), name);
    if (!agent) throw new CliError(`no agent ${name} in ${agentsDirOf(projectDir(flags, ctx))}`, EXIT.failed, 'list agents with `lightspeed agents list`, or add --stored to read the server copy');
    writeJson(ctx, agentProfile(agent));
  });
}
