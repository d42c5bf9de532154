import { invalidRequest, type ParamsInputOf } from '@lightspeed/api';

type StartConfig = NonNullable<ParamsInputOf<'session/start'>['config']>;

const TOOL_NAME = /^[A-Za-z0-9_.*:-]{1,128}$/;

/**
 * The config of a chat started from the console's form: the tools it grants (timers, questions)
 * and the tools that ask for approval first — the same members `lightspeed chat --timers
 * --ask-user --ask-before TOOL` sets. Nothing chosen: no config (the server's defaults).
 */
export function newChatConfig(form: Record<string, string>): StartConfig | undefined {
  const features: Record<string, unknown> = {};
  if (form.timers === 'on') features.timers = { version: 1 };
  if (form.askUser === 'on') features.askUser = { version: 1 };
  const askBefore = (form.askBefore ?? '')
    .split(',')
    .map((tool) => tool.trim())
    .filter((tool) => tool !== '');
  const bad = askBefore.find((tool) => !TOOL_NAME.test(tool));
  if (bad !== undefined) throw invalidRequest(`askBefore: "${bad.slice(0, 60)}" is not a tool name (letters, digits, _ . : - and * patterns)`);
  if (Object.keys(features).length === 0 && askBefore.length === 0) return undefined;
  return {
    ...(Object.keys(features).length > 0 ? { features } : {}),
    ...(askBefore.length > 0 ? { approvals: { rules: askBefore.map((tool) => ({ tool, policy: 'ask' as const })) } } : {}),
  } as StartConfig;
}
