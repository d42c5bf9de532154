import type { transcriptOf } from '@lightspeed/api';
import { preview } from './format.js';

export type SessionInput = Parameters<typeof transcriptOf>[0];

/** Where the whole body behind a ref is shown (read from CAS on demand, escaped). */
export function blobPath(sessionId: string, contentRef: string): string {
  return `/console/sessions/${encodeURIComponent(sessionId)}/blobs/${encodeURIComponent(contentRef)}`;
}

/** The id of a run's section on the session page (task attempts link to it). */
export function runAnchor(runId: string): string {
  return `run-${runId}`;
}

/**
 * Text as the agent or a tool gave it: never markup, whitespace kept (CSS pre-wrap). A body cut
 * here, or one `session/read` did not inline (over 64 KiB: only its preview came), links to the
 * whole of it when `full` names where it lives.
 */
export function PlainText(props: { text: string; max?: number; full?: { sessionId: string; contentRef: string; inlined: boolean } }) {
  const shown = preview(props.text, props.max);
  const { full } = props;
  const more = full !== undefined && (shown.cut > 0 || !full.inlined);
  return (
    <div class="text">
      {shown.text}
      {shown.cut > 0 ? <span class="cut">{` … ${shown.cut} more characters`}</span> : !more ? null : <span class="cut"> …</span>}
      {more ? (
        <>
          {' '}
          <a class="show-all" href={blobPath(full.sessionId, full.contentRef)}>
            Show all
          </a>
        </>
      ) : null}
    </div>
  );
}
