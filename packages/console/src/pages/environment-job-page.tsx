import type { ResultOf } from '@lightspeed/api';
import { blobPagePath } from './blob-page.js';
import { FormToken, Layout, type PageFrame } from './layout.js';
import { when } from './format.js';

export type EnvironmentJobEntry = ResultOf<'environments/jobs/read'>['jobs'][number];

const ENDED = new Set(['succeeded', 'failed', 'cancelled', 'timedOut', 'dependencyFailed', 'interrupted', 'lost']);

function decodeChunk(dataBase64: string): string {
  return Buffer.from(dataBase64, 'base64').toString('utf8');
}

/**
 * One job of an environment: its state (the page reloads itself every 2 s until it ends), then
 * its stdout and stderr, the files it changed and links to the full output and diff in CAS.
 */
export function EnvironmentJobPage(props: { frame: PageFrame; environmentId: string; jobId: string; entry: EnvironmentJobEntry }) {
  const { frame, entry } = props;
  const summary = entry.summary;
  const ended = summary ? ENDED.has(summary.status) : true;
  const envPath = `/console/environments/${encodeURIComponent(props.environmentId)}`;
  const here = `${envPath}/jobs/${encodeURIComponent(props.jobId)}`;
  const stream = (name: 'stdout' | 'stderr') => (entry.outputChunks ?? []).filter((chunk) => chunk.stream === name).map((chunk) => decodeChunk(chunk.dataBase64)).join('');
  const result = entry.result;
  return (
    <Layout {...frame} refreshSeconds={ended ? undefined : 2}>
      <p>
        <a href={envPath}>Back to the environment</a>
      </p>
      {entry.error ? (
        <p class="failure">{entry.error}</p>
      ) : summary ? (
        <>
          <dl class="facts" id="job-facts">
            <dt>Status</dt>
            <dd>
              <span class={`badge badge-${summary.status}`} id="job-status">
                {summary.status}
              </span>
            </dd>
            {summary.failure ? (
              <>
                <dt>Why</dt>
                <dd>{summary.failure}</dd>
              </>
            ) : null}
            <dt>Command</dt>
            <dd>{result ? result.argv.join(' ') : (summary.name ?? '—')}</dd>
            <dt>Started</dt>
            <dd>{when(summary.startedAtMs)}</dd>
            <dt>Finished</dt>
            <dd>{when(summary.finishedAtMs)}</dd>
            {result ? (
              <>
                <dt>Isolation</dt>
                <dd>{result.isolated ? `isolated (${result.isolation})` : (result.notice ?? 'not isolated')}</dd>
                <dt>Duration</dt>
                <dd>{`${result.durationMs} ms`}</dd>
              </>
            ) : null}
          </dl>
          {ended ? null : (
            <div class="actions">
              <form method="post" action={`${here}/cancel`} class="inline">
                <FormToken csrf={frame.csrf} />
                <button type="submit" class="danger">
                  Cancel job
                </button>
              </form>
            </div>
          )}
          {ended ? (
            <>
              <h2>Output</h2>
              <pre class="args" id="job-stdout">{stream('stdout') || '(no stdout)'}</pre>
              <pre class="args" id="job-stderr">{stream('stderr') || '(no stderr)'}</pre>
              {result ? (
                <p>
                  <a href={blobPagePath(result.stdoutRef, here)}>All of stdout</a> · <a href={blobPagePath(result.stderrRef, here)}>All of stderr</a>
                  {result.diffRef ? (
                    <>
                      {' · '}
                      <a href={blobPagePath(result.diffRef, here)} id="job-diff">
                        The diff
                      </a>
                    </>
                  ) : null}
                </p>
              ) : null}
              <h2>Files changed</h2>
              {(entry.artifacts ?? []).length === 0 ? (
                <p class="empty">{result?.conflict ?? 'None.'}</p>
              ) : (
                <ul id="job-changes">
                  {(entry.artifacts ?? []).map((artifact) => (
                    <li>{`${artifact.kind ?? 'changed'} ${artifact.path}`}</li>
                  ))}
                </ul>
              )}
            </>
          ) : (
            <p class="empty">The output appears when the job ends.</p>
          )}
        </>
      ) : null}
    </Layout>
  );
}
