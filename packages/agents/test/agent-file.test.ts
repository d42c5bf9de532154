import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProfileInput } from '@lightspeed/api';
import { describe, expect, it } from 'vitest';
import { AgentDefinitionError, agentProfile, agentSessionConfig, findProjectAgent, loadAgentFile, loadAgentsDir, parseAgentFile, shippedAgent, type AgentProblem } from '../src/index.js';

const FULL = `---
description: Reviews a change and suggests fixes
displayName: Code reviewer
model:
  providerId: openai
  apiKind: openai:responses
  model: gpt-5
generation:
  maxOutputTokens: 4000
  reasoningEffort: medium
  toolChoice: required
tools:
  files:
    access: readOnly
    mounts:
      - path: /workspace
        workspace: ws_repo
  web:
    fetch: true
  mcp:
    - server: everything
      allowedTools: [echo]
  skills: true
  prompts:
    roots: [/workspace/.prompts]
limits:
  maxTurns: 20
  maxToolRounds: 8
compaction:
  mode: auto
  thresholdTokens: 90000
---
You review code.

Be specific.
`;

function problemsOf(text: string, file = '/p/.lightspeed/agents/reviewer.md'): AgentProblem[] {
  try {
    parseAgentFile(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(AgentDefinitionError);
    expect((error as AgentDefinitionError).code).toBe('invalid');
    return [...(error as AgentDefinitionError).problems];
  }
  throw new Error('expected the file to be refused');
}

describe('agent files', () => {
  it('parse into a definition whose profile the API schema accepts, every field mapped', () => {
    const agent = parseAgentFile(FULL, '/p/.lightspeed/agents/reviewer.md');
    expect(agent).toMatchObject({ name: 'reviewer', instructions: 'You review code.\n\nBe specific.' });
    const profile = agentProfile(agent);
    expect(AgentProfileInput.parse(profile)).toEqual(profile);
    expect(profile).toEqual({
      profileId: 'reviewer',
      displayName: 'Code reviewer',
      description: 'Reviews a change and suggests fixes',
      instructions: { type: 'text', text: 'You review code.\n\nBe specific.' },
      config: {
        model: { providerId: 'openai', apiKind: 'openai:responses', model: 'gpt-5' },
        generation: { maxOutputTokens: 4000, reasoningEffort: 'medium', toolChoice: { type: 'requiredAny' } },
        limits: { maxTurns: 20, maxToolRounds: 8 },
        context: { compaction: { mode: 'providerTriggered', compact_threshold_tokens: 90000 } },
        features: {
          vfs: {
            version: 1,
            tools: 'readOnly',
            workspaceLinks: [{ path: '/workspace', target: { type: 'workspace', workspaceId: 'ws_repo' }, access: 'readWrite' }],
            skills: {},
            prompts: { roots: ['/workspace/.prompts'] },
          },
          web: { version: 1, fetch: {} },
          mcp: { version: 1, servers: [{ serverId: 'everything', allowedTools: ['echo'] }] },
        },
      },
    });
  });

  it('a minimal file is just front matter and instructions', () => {
    expect(agentProfile(parseAgentFile('---\n---\nHello.\n', 'a/helper.md'))).toEqual({ profileId: 'helper', instructions: { type: 'text', text: 'Hello.' } });
  });

  it('an unknown field is refused, naming the file, its line and the field', () => {
    const problems = problemsOf('---\nmodel:\n  providerId: openai\n  apiKind: openai:responses\n  model: gpt-5\n  temprature: 0.2\n---\nx\n');
    expect(problems).toEqual([{ file: '/p/.lightspeed/agents/reviewer.md', line: 6, column: 3, field: 'model.temprature', message: expect.stringMatching(/unknown field/) }]);
  });

  it('a wrong value names the line and what is expected', () => {
    const [problem] = problemsOf('---\ndescription: d\nlimits:\n  maxTurns: -3\n---\n');
    expect(problem).toMatchObject({ line: 4, field: 'limits.maxTurns', message: 'expected a positive integer' });
    const [kind] = problemsOf('---\nmodel:\n  providerId: openai\n  apiKind: openai\n  model: m\n---\n');
    expect(kind).toMatchObject({ line: 4, field: 'model.apiKind', message: 'expected one of openai:responses, openai:completions, anthropic:messages' });
    const [nested] = problemsOf('---\ntools:\n  mcp:\n    - server: a\n    - allowedTools: [x]\n---\n');
    expect(nested).toMatchObject({ line: 5, field: 'tools.mcp.1.server' });
  });

  it('fields that would do nothing yet are refused by name, not ignored', () => {
    const problems = problemsOf('---\nfleet: {}\nsubagents: {}\nlimits:\n  costBudgetUsd: 2\ntools:\n  web:\n    search: {}\n  mcp:\n    - server: s\n      approval: always\n---\n');
    expect(problems.map((p) => [p.field, p.line])).toEqual([
      ['fleet', 2],
      ['subagents', 3],
      ['tools.web.search', 8],
      ['tools.mcp.0.approval', 11],
    ]);
    for (const p of problems) expect(p.message).toMatch(/^not supported yet.*; remove the field$/);
  });

  it('memory tools: tools.memory grants all three or the listed ones; an unknown tool name is a problem naming it', () => {
    expect(agentSessionConfig(parseAgentFile('---\ntools:\n  memory: true\n---\nAnswer.\n', '/p/.lightspeed/agents/answer.md')).features).toEqual({ memory: { version: 1 } });
    const some = parseAgentFile('---\ntools:\n  memory:\n    tools: [memory_get, memory_related]\n---\n', '/p/.lightspeed/agents/answer.md');
    expect(agentProfile(some).config?.features).toEqual({ memory: { version: 1, tools: ['memory_get', 'memory_related'] } });
    expect(problemsOf('---\ntools:\n  memory:\n    tools: [memory_get, memory_delete]\n---\n')[0]).toMatchObject({ line: 3, field: 'tools.memory', message: 'expected true or {tools: [memory_search, memory_get, memory_related]}' });
  });

  it('the shipped answer agent is valid, grants the memory tools and states the citation syntax', () => {
    const answer = shippedAgent('answer');
    expect(answer.name).toBe('answer');
    expect(agentProfile(answer).config?.features).toEqual({ memory: { version: 1 } });
    expect(answer.instructions).toContain('[mev_…]');
    expect(answer.instructions).toContain('I found nothing in memory');
  });

  it('wait tools: tools.timers and tools.askUser grant sleep/wait_until and ask_user', () => {
    const agent = parseAgentFile('---\ntools:\n  timers: true\n  askUser: true\n---\nAsk when unsure.\n', '/p/.lightspeed/agents/reviewer.md');
    expect(agentSessionConfig(agent).features).toEqual({ timers: { version: 1 }, askUser: { version: 1 } });
    expect(problemsOf('---\ntools:\n  timers: yes please\n---\n')[0]).toMatchObject({ line: 3, field: 'tools.timers' });
  });

  it('sub-agents: tools.agents grants the fleet tools, with allow/deny, fork off and limits', () => {
    expect(agentSessionConfig(parseAgentFile('---\ntools:\n  agents: true\n---\nDelegate.\n', '/p/.lightspeed/agents/lead.md')).features).toEqual({ fleet: { version: 1 } });
    const agent = parseAgentFile('---\ntools:\n  agents:\n    allow: [reviewer]\n    fork: false\n    maxChildren: 3\n---\nDelegate.\n', '/p/.lightspeed/agents/lead.md');
    expect(agentSessionConfig(agent).features).toEqual({ fleet: { version: 1, profiles: { allow: ['reviewer'] }, spawn: { bases: ['profile'] }, maxChildren: 3 } });
    expect(problemsOf('---\ntools:\n  agents:\n    maxDepth: 99\n---\n')[0]).toMatchObject({ field: 'tools.agents.maxDepth' });
  });

  it('delegation: tools.delegate (one CLI or a list) becomes features.delegate; unknown fields name their line', () => {
    const one = parseAgentFile('---\ntools:\n  host:\n    root: /work\n  delegate:\n    cli: claude-code\n    model: claude-sonnet-4-5\n    allowedTools: [Write, Edit]\n    credentialsEnv: [ANTHROPIC_API_KEY]\n---\nHand coding over.\n', '/p/.lightspeed/agents/lead.md');
    expect(agentSessionConfig(one).features?.delegate).toEqual({
      clis: [{ cli: 'claude-code', model: 'claude-sonnet-4-5', allowedTools: ['Write', 'Edit'], network: 'provider', credentialsEnv: ['ANTHROPIC_API_KEY'], maxTurns: 30, timeoutMs: 900_000 }],
    });
    const both = parseAgentFile('---\ntools:\n  delegate:\n    - {cli: claude-code, model: m1}\n    - {cli: codex, model: m2, credentialsEnv: [OPENAI_API_KEY], network: host}\n---\n', '/p/.lightspeed/agents/lead.md');
    expect(agentSessionConfig(both).features?.delegate?.clis.map((c) => [c.cli, c.network])).toEqual([['claude-code', 'provider'], ['codex', 'host']]);
    const [unknown] = problemsOf('---\ntools:\n  delegate:\n    cli: codex\n    model: m\n    sandbox: none\n---\n');
    expect(unknown).toMatchObject({ line: 6, field: 'tools.delegate.sandbox', message: expect.stringMatching(/^unknown field/) });
  });

  it('approvals: rules by tool name or pattern become the session config; a wrong policy names its line', () => {
    const agent = parseAgentFile('---\napprovals:\n  default: ask\n  rules:\n    - tool: read_file\n      policy: always\n    - tool: mcp__prod__*\n      policy: never\n---\nCareful.\n', '/p/.lightspeed/agents/reviewer.md');
    expect(agentSessionConfig(agent).approvals).toEqual({ default: 'ask', rules: [{ tool: 'read_file', policy: 'always' }, { tool: 'mcp__prod__*', policy: 'never' }] });
    expect(problemsOf('---\napprovals:\n  rules:\n    - tool: x\n      policy: sometimes\n---\n')[0]).toMatchObject({ line: 5, field: 'approvals.rules.0.policy', message: expect.stringMatching(/^expected always/) });
  });

  it('a reasoning effort outside the portable vocabulary is refused at load time', () => {
    expect(problemsOf('---\ngeneration:\n  reasoningEffort: extreme\n---\n')[0]).toMatchObject({ line: 3, field: 'generation.reasoningEffort', message: 'expected one of none, minimal, low, medium, high, xhigh' });
  });

  it('all five limits, per run and for the session, become the session config', () => {
    const agent = parseAgentFile('---\nlimits:\n  maxTurns: 4\n  tokenBudget: 1000\n  costBudgetUsd: 0.5\n  session:\n    maxOutputTokens: 800\n    maxToolRounds: 9\n---\nBe brief.\n', '/p/.lightspeed/agents/reviewer.md');
    expect(agentSessionConfig(agent).limits).toEqual({ maxTurns: 4, tokenBudget: 1000, costBudgetUsd: 0.5, session: { maxOutputTokens: 800, maxToolRounds: 9 } });
  });

  it('broken YAML, a missing front matter and a mismatched name each say where', () => {
    const [yaml] = problemsOf('---\ndescription: a\nmodel: [unclosed\n---\n');
    expect(yaml).toMatchObject({ line: expect.any(Number), message: expect.stringMatching(/^invalid YAML/) });
    expect(yaml!.line).toBeGreaterThanOrEqual(3);
    expect(problemsOf('no front matter\n')).toEqual([{ file: '/p/.lightspeed/agents/reviewer.md', line: 1, message: expect.stringMatching(/missing front matter/) }]);
    expect(problemsOf('---\nname: other\n---\n')).toEqual([expect.objectContaining({ line: 2, field: 'name', message: expect.stringMatching(/"other" but the file defines "reviewer"/) })]);
    expect(problemsOf('---\ndescription: a\ndescription: b\n---\n')[0]!.message).toMatch(/invalid YAML.*[Uu]nique/);
  });

  it('the error message lists every problem as file:line:column: field: message', () => {
    try {
      parseAgentFile('---\nmodle: x\nlimits:\n  maxTurns: 0\n---\n', 'agents/a.md');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe('agents/a.md:2:1: modle: unknown field; see docs/agents.md for the fields an agent file may have\nagents/a.md:4:3: limits.maxTurns: expected a positive integer');
    }
  });

  it('a project folder loads each file independently and finds an agent by name', async () => {
    const project = await mkdtemp(join(tmpdir(), 'agents-'));
    const dir = join(project, '.lightspeed', 'agents');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'good.md'), '---\ndescription: fine\n---\nHi.\n');
    await writeFile(join(dir, 'bad.md'), '---\ntools:\n  host: {}\n---\n');
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const loaded = await loadAgentsDir(dir);
    expect(loaded.agents.map((a) => a.name)).toEqual(['good']);
    expect(loaded.problems).toEqual([expect.objectContaining({ file: join(dir, 'bad.md'), line: 3, field: 'tools.host.root' })]);
    expect((await findProjectAgent(project, 'good'))?.description).toBe('fine');
    expect(await findProjectAgent(project, 'missing')).toBeUndefined();
    await expect(findProjectAgent(project, 'bad')).rejects.toBeInstanceOf(AgentDefinitionError);
  });

  it('the sample agent shipped in examples/ is valid', async () => {
    const agent = await loadAgentFile(fileURLToPath(new URL('../../../examples/agents/reviewer.md', import.meta.url)));
    expect(agentProfile(agent)).toMatchObject({ profileId: 'reviewer', config: { features: { vfs: { tools: 'readOnly' } } } });
  });
  it('a task section becomes the profile task field; a schema that is no JSON Schema is refused with its line', () => {
    const text = `---
task:
  schema:
    type: object
    properties:
      issue: { type: integer }
    required: [issue]
  template: "Summarise issue {{payload.issue}}"
  requiredArtifacts: [/workspace/summary.md]
---
Summarise.
`;
    const agent = parseAgentFile(text, '/p/.lightspeed/agents/summariser.md');
    const profile = agentProfile(agent);
    expect(profile.task).toEqual({
      schema: { type: 'object', properties: { issue: { type: 'integer' } }, required: ['issue'] },
      template: 'Summarise issue {{payload.issue}}',
      requiredArtifacts: ['/workspace/summary.md'],
    });
    expect(AgentProfileInput.safeParse(profile).success).toBe(true);
    const bad = problemsOf(`---\ntask:\n  schema:\n    type: objekt\n  requiredArtifacts: [summary.md]\n---\n`, '/p/.lightspeed/agents/summariser.md');
    expect(bad).toEqual([expect.objectContaining({ line: 5, field: 'task.requiredArtifacts.0', message: expect.stringContaining('absolute path') })]);
    const badSchema = problemsOf(`---\ntask:\n  schema:\n    type: objekt\n---\n`, '/p/.lightspeed/agents/summariser.md');
    expect(badSchema).toEqual([expect.objectContaining({ line: 3, field: 'task.schema', message: expect.stringContaining('not a usable JSON Schema') })]);
  });
});
