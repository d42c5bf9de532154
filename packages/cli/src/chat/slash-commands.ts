/** A line the user typed in interactive chat: a message for the agent, or a slash command. */
export type ChatInput =
  | { type: 'message'; text: string }
  | { type: 'cancel' }
  | { type: 'steer'; text: string }
  | { type: 'model'; model?: string }
  | { type: 'sessions' }
  | { type: 'usage' }
  | { type: 'session'; sessionId: string }
  | { type: 'help' }
  | { type: 'quit' }
  | { type: 'empty' }
  | { type: 'invalid'; message: string };

export const CHAT_HELP = [
  'Type a message and press Enter. Commands:',
  '  /cancel            cancel the running run',
  '  /steer <text>      add guidance to the running run',
  '  /model [id]        show the session model and the models available, or switch to <id>',
  '  /usage             tokens and cost of the last run and of the session (retries and compactions included)',
  '  /sessions          list sessions',
  '  /session <id>      continue another session',
  '  /help              this help',
  '  /quit              leave (Ctrl-D too; Ctrl-C cancels a running run first)',
].join('\n');

export function parseChatInput(line: string): ChatInput {
  const text = line.trim();
  if (text === '') return { type: 'empty' };
  if (!text.startsWith('/')) return { type: 'message', text };
  const space = text.indexOf(' ');
  const name = space < 0 ? text : text.slice(0, space);
  const rest = space < 0 ? '' : text.slice(space + 1).trim();
  switch (name) {
    case '/cancel':
      return { type: 'cancel' };
    case '/steer':
      return rest ? { type: 'steer', text: rest } : { type: 'invalid', message: 'usage: /steer <text>' };
    case '/model':
      return rest ? { type: 'model', model: rest } : { type: 'model' };
    case '/sessions':
      return { type: 'sessions' };
    case '/usage':
      return { type: 'usage' };
    case '/session':
      return rest ? { type: 'session', sessionId: rest } : { type: 'invalid', message: 'usage: /session <id>' };
    case '/help':
    case '/?':
      return { type: 'help' };
    case '/quit':
    case '/exit':
      return { type: 'quit' };
    default:
      return { type: 'invalid', message: `unknown command ${name}; /help lists the commands` };
  }
}
