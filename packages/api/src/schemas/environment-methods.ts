import { spec } from './method-spec.js';
import * as env from './environments.js';

/** The v1 contract's environments, served by local sandboxes (docs/0027-environments.md, "v1 contract mapping"). */
export const environmentMethodSpecs = {
  'environments/create': spec(
    'environments/create',
    ['EnvironmentCreateParams', env.EnvironmentCreateParams],
    ['EnvironmentCreateResponse', env.EnvironmentCreateResponse],
    'Create an environment',
    'Prepares a local sandbox directory holding a VFS workspace (bindingId and templateId `local`; requestId is the environment id). The same requestId and spec answer the existing environment; another spec is a conflict.',
  ),
  'environments/read': spec(
    'environments/read',
    ['EnvironmentReadParams', env.EnvironmentReadParams],
    ['EnvironmentReadResponse', env.EnvironmentReadResponse],
    'Read an environment',
    'The environment, its lifecycle state and its sandbox: isolation in use and the "not isolated" notice when commands run without one.',
  ),
  'environments/list': spec(
    'environments/list',
    ['EnvironmentListParams', env.EnvironmentListParams],
    ['EnvironmentListResponse', env.EnvironmentListResponse],
    'List environments',
    "The universe's environments by id, optionally filtered by origin session, workspace or status.",
  ),
  'environments/close': spec(
    'environments/close',
    ['EnvironmentCloseParams', env.EnvironmentCloseParams],
    ['EnvironmentCloseResponse', env.EnvironmentCloseResponse],
    'Close an environment',
    'Removes the directory (the workspace keeps every collected change); jobs and their results stay readable. Closing a closed environment answers it unchanged.',
  ),
  'environments/credentials/list': spec(
    'environments/credentials/list',
    ['EnvironmentCredentialListParams', env.EnvironmentCredentialListParams],
    ['EnvironmentCredentialListResponse', env.EnvironmentCredentialListResponse],
    'List environment credential bindings',
    'The credential variables of the environment, each read from the server environment variable of the same name (source directSecret `env:<NAME>`); values are never returned.',
  ),
  'environments/credentials/bind': spec(
    'environments/credentials/bind',
    ['EnvironmentCredentialBindParams', env.EnvironmentCredentialBindParams],
    ['EnvironmentCredentialBindResponse', env.EnvironmentCredentialBindResponse],
    'Bind a credential into an environment',
    'Refused (rejected): credentials of a local environment are server environment variables named at environments/create.',
  ),
  'environments/credentials/unbind': spec(
    'environments/credentials/unbind',
    ['EnvironmentCredentialUnbindParams', env.EnvironmentCredentialUnbindParams],
    ['EnvironmentCredentialUnbindResponse', env.EnvironmentCredentialUnbindResponse],
    'Unbind an environment credential',
    'Refused (rejected): the credentials are part of the environment spec; create another environment without it.',
  ),
  'environments/jobs/create': spec(
    'environments/jobs/create',
    ['EnvironmentJobCreateParams', env.EnvironmentJobCreateParams],
    ['EnvironmentJobCreateResponse', env.EnvironmentJobCreateResponse],
    'Create environment jobs',
    'Starts commands in the environment, one at a time in order, and answers at once with their ids. requestId is the retry identity: repeating it answers the same jobs, never runs them again.',
  ),
  'environments/jobs/read': spec(
    'environments/jobs/read',
    ['EnvironmentJobReadParams', env.EnvironmentJobReadParams],
    ['EnvironmentJobReadResponse', env.EnvironmentJobReadResponse],
    'Read environment jobs',
    'Status, and once a job ended its output (stdout chunk 0, stderr chunk 1), the files it changed and its recorded result: stdout, stderr and diff refs in CAS, the new workspace snapshot and revision.',
  ),
  'environments/jobs/cancel': spec(
    'environments/jobs/cancel',
    ['EnvironmentJobCancelParams', env.EnvironmentJobCancelParams],
    ['EnvironmentJobCancelResponse', env.EnvironmentJobCancelResponse],
    'Cancel environment jobs',
    'Kills the process group of a running job (a queued one never starts) and answers once it ended: cancelled, with the reason. A finished job is answered as it is.',
  ),
  'session/environments/activate': spec(
    'session/environments/activate',
    ['SessionEnvironmentActivateParams', env.SessionEnvironmentActivateParams],
    ['SessionEnvironmentActivateResponse', env.SessionEnvironmentActivateResponse],
    'Activate a session environment',
    'Refused (rejected) once the session and environment are found: sessions here have no environment-targeted tools to select one for; an environment names its session at environments/create (sessionId, shown as originSession).',
  ),
  'session/environments/deactivate': spec(
    'session/environments/deactivate',
    ['SessionEnvironmentDeactivateParams', env.SessionEnvironmentDeactivateParams],
    ['SessionEnvironmentDeactivateResponse', env.SessionEnvironmentDeactivateResponse],
    'Deactivate the session environment',
    'Refused (rejected) once the session is found: no session has an active environment here (see session/environments/activate).',
  ),
};
