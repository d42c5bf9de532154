import { raw } from 'hono/html';
import MarkdownIt from 'markdown-it';
import { preview } from './format.js';
import { blobPath } from './plain-text.js';

/**
 * The agent's Markdown, rendered by markdown-it with raw HTML off: any tag in the text stays
 * text, and its link validator drops `javascript:`, `vbscript:`, `file:` and non-image `data:`
 * URLs (the link stays as text). Images are off too — an agent's text must not make the
 * browser fetch anything (the CSP would refuse another origin anyway).
 */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false }).disable(['image']);

// Links leave the console in a new context that cannot reach back into it.
const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
  tokens[index]!.attrSet('rel', 'noopener noreferrer nofollow');
  tokens[index]!.attrSet('target', '_blank');
  return defaultLinkOpen(tokens, index, options, env, self);
};

/** Rendered Markdown as HTML (escaped by markdown-it; no raw HTML passes). */
export function markdownHtml(text: string): string {
  return markdown.render(text);
}

/** An agent message as Markdown, cut like PlainText, with "Show all" to the whole body in CAS. */
export function MarkdownText(props: { text: string; max?: number; full: { sessionId: string; contentRef: string; inlined: boolean } }) {
  const shown = preview(props.text, props.max);
  const { full } = props;
  const more = shown.cut > 0 || !full.inlined;
  return (
    <div class="text markdown">
      {raw(markdownHtml(shown.text))}
      {more ? (
        <p class="cut">
          {shown.cut > 0 ? `… ${shown.cut} more characters ` : '… '}
          <a class="show-all" href={blobPath(full.sessionId, full.contentRef)}>
            Show all
          </a>
        </p>
      ) : null}
    </div>
  );
}
