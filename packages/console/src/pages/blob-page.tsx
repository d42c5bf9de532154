import { Layout, type PageFrame } from './layout.js';
import { preview } from './format.js';

/** The most of one body the page shows; past it, the CLI (`lightspeed blobs read`) has all of it. */
export const MAX_SHOWN_CHARS = 2_000_000;

/** A CAS ref as the API writes them (`blobs/read` refuses anything else anyway). */
export const BLOB_REF = /^sha256:[0-9a-f]{64}$/;

/** Where a body of the universe's CAS is shown, with the console page to go back to. */
export function blobPagePath(blobRef: string, back: string): string {
  return `/console/blobs/${encodeURIComponent(blobRef)}?back=${encodeURIComponent(back)}`;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A body's text, or undefined when it is not UTF-8 (images, documents): those are not shown. */
export function textOfBytes(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** One body from CAS (a tool's whole output, a long message), as text in a `<pre>`: never markup. */
export function BlobPage(props: { frame: PageFrame; blobRef: string; bytes: number; text: string | undefined; back: string; backLabel?: string }) {
  const shown = props.text === undefined ? undefined : preview(props.text, MAX_SHOWN_CHARS);
  return (
    <Layout {...props.frame}>
      <p>
        <a href={props.back}>{props.backLabel ?? 'Back to the session'}</a>
      </p>
      <dl class="facts">
        <dt>Ref</dt>
        <dd>{props.blobRef}</dd>
        <dt>Size</dt>
        <dd>{`${props.bytes} bytes`}</dd>
      </dl>
      {shown === undefined ? (
        <p class="empty">Not text (binary content): fetch it with `lightspeed blobs read`.</p>
      ) : (
        <>
          <pre class="args blob" id="blob-text">
            {shown.text}
          </pre>
          {shown.cut > 0 ? <p class="cut">{`… ${shown.cut} more characters not shown: fetch the whole body with \`lightspeed blobs get\`.`}</p> : null}
        </>
      )}
    </Layout>
  );
}
