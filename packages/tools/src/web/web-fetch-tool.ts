import { LightspeedError } from '@lightspeed/ports';
import { capText } from '../files/text-content.js';
import { fail, ok, type LogicalTool } from '../tool-definition.js';

export interface WebFetchArgs {
  url: string;
  maxChars?: number;
}

const DEFAULT_MAX_CHARS = 50_000;

/** Fetches a public web page as readable text. */
export const webFetchTool: LogicalTool<WebFetchArgs> = {
  logical: 'web.fetch',
  parallelism: 'parallelSafe',
  async run(args, env) {
    if (!env.web) return fail('web fetch is not enabled for this session.');
    try {
      const page = await env.web.fetch(args.url, env.signal ? { signal: env.signal } : {});
      const header = `URL: ${page.url}\nStatus: ${page.status}\nContent-Type: ${page.contentType}\n\n`;
      const body = capText(page.text, args.maxChars ?? DEFAULT_MAX_CHARS, 'the page is longer than shown');
      const text = `${header}${body}${page.truncated ? '\n[body truncated at the download size cap]' : ''}`;
      return page.status >= 400 ? fail(text) : ok(text);
    } catch (error) {
      if (error instanceof LightspeedError) return fail(error.message);
      throw error;
    }
  },
};
