import type { SessionView } from '@lightspeed/api';
import { FormToken, Layout, type PageFrame } from './layout.js';
import { modelText, usageText, when } from './format.js';
import { Transcript, type SessionInput } from './transcript.js';
import { Waits, type WaitView } from './waits.js';

/**
 * One session: its facts, the transcript (live: `data-live-session` tells the script which
 * stream to follow and from which position) and the message form.
 */
/** The session's facts (status, agent, model, usage, last activity); re-rendered with the transcript. */
export function SessionFacts(props: { session: SessionInput }) {
  const { session } = props;
  return (
    <dl class="facts">
      <dt>Status</dt>
      <dd>
        <span class={`badge badge-${session.status}`} id="session-status">
          {session.status}
        </span>
      </dd>
      <dt>Agent</dt>
      <dd>{session.profile?.profileId ?? '—'}</dd>
      <dt>Model</dt>
      <dd>{modelText(session.config?.model)}</dd>
      <dt>Usage</dt>
      <dd>{usageText(session.usage)}</dd>
      <dt>Last activity</dt>
      <dd>{when(session.updatedAtMs)}</dd>
    </dl>
  );
}

/** What the live region shows, and what `GET …/transcript` answers for the script to swap in. */
export function LiveSession(props: { session: SessionInput; waits: WaitView[]; csrf: string }) {
  return (
    <>
      <SessionFacts session={props.session} />
      <h2 id="transcript-title">Transcript</h2>
      <Transcript session={props.session} csrf={props.csrf} />
      <Waits sessionId={props.session.id} waits={props.waits} csrf={props.csrf} />
    </>
  );
}

export function SessionPage(props: { frame: PageFrame; session: SessionView; waits: WaitView[]; headSeq: number }) {
  const { frame, session } = props;
  const base = `/console/sessions/${encodeURIComponent(session.id)}`;
  return (
    <Layout {...frame}>
      <section aria-labelledby="transcript-title">
        <div id="transcript" data-live-session={session.id} data-after={String(props.headSeq)} data-transcript-url={`${base}/transcript`} data-events-url={`${base}/events`} aria-live="polite">
          <LiveSession session={session} waits={props.waits} csrf={frame.csrf} />
        </div>
        <div id="live-answer" class="message message-assistant live" hidden aria-label="streaming answer">
          <span class="role">Agent (streaming)</span>
          <div class="text"></div>
        </div>
        <p id="stream-state" class="stream-state" role="status"></p>
      </section>
      <section aria-labelledby="send-title">
        <h2 id="send-title">Send a message</h2>
        <form method="post" action={`${base}/messages`} class="stack" id="send-form" data-enhance="send">
          <FormToken csrf={frame.csrf} />
          <label for="message">Message</label>
          <textarea id="message" name="message" rows={3} required></textarea>
          <div class="actions">
            <button type="submit" id="send-button">
              Send
            </button>
            <button type="submit" id="steer-button" formaction={`${base}/steer`} class="secondary" title="Give the running run this message at its next turn, without starting a new run">
              Steer the running run
            </button>
          </div>
        </form>
      </section>
    </Layout>
  );
}
