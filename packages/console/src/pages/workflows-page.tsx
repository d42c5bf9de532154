import type { ResultOf } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { Layout, type PageFrame } from './layout.js';
import { when } from './format.js';

export type WorkflowRow = ResultOf<'workflows/read'>['workflow'];

export const workflowPath = (instanceKey: string) => `/console/workflows/${encodeURIComponent(instanceKey)}`;

/** Workflow instances: template, current state, status and iteration. */
export function WorkflowsPage(props: { frame: PageFrame; workflows: WorkflowRow[] }) {
  return (
    <Layout {...props.frame}>
      {props.workflows.length === 0 ? (
        <p class="empty">No workflow instances (start one with workflows/create or `lightspeed workflows create`).</p>
      ) : (
        <table class="list">
          <ListHead columns={['Instance', 'Template', 'State', 'Status', 'Iteration', 'Updated']} />
          <tbody>
            {props.workflows.map((workflow) => (
              <tr>
                <td>
                  <a href={workflowPath(workflow.instanceKey)}>{workflow.instanceKey}</a>
                </td>
                <td>{workflow.templateId}</td>
                <td>{workflow.state}</td>
                <td>
                  <span class={`badge badge-${workflow.status}`}>{workflow.status}</span>
                </td>
                <td>{`${workflow.iteration} of ${workflow.maxIterations}`}</td>
                <td>{when(workflow.updatedAtMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
