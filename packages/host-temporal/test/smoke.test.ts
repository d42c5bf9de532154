// Proves the ground the Temporal host stands on: the Temporal dev server built by
// scripts/setup.d/temporal.sh starts on this machine, and the official SDK's native worker runs a
// workflow with an Update, a query and an activity against it under vitest (forks pool).
import { fileURLToPath } from 'node:url';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startTemporal, type TemporalServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from './fixtures/activities.js';
import { admitUpdate, closeUpdate, smokeSession, statusQuery } from './fixtures/workflows.js';

const workflowsPath = fileURLToPath(new URL('./fixtures/workflows.ts', import.meta.url));
const taskQueue = 'smoke';

let server: TemporalServer;
let clientConnection: Connection;
let workerConnection: NativeConnection;
let client: Client;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  // The SDK logs worker lifecycle at INFO; warnings and errors are what help when this test fails.
  const logger = new DefaultLogger('WARN');
  Runtime.install({ logger });
  // Bundle once (webpack, a few seconds) and share it between the live worker and the replayer.
  [server, bundle] = await Promise.all([startTemporal(), bundleWorkflowCode({ workflowsPath, logger })]);
  clientConnection = await Connection.connect({ address: server.address });
  workerConnection = await NativeConnection.connect({ address: server.address });
  client = new Client({ connection: clientConnection, namespace: server.namespace });
});

afterAll(async () => {
  await clientConnection?.close();
  await workerConnection?.close();
  await server?.stop();
});

describe('a real Temporal dev server', () => {
  it('runs a workflow driven by Updates, answers a query, and replays its recorded history', async () => {
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: server.namespace,
      taskQueue,
      workflowBundle: bundle,
      activities,
    });
    const workflowId = `smoke-${Date.now()}`;
    const executionsBefore = activities.executions.shout;

    const result = await worker.runUntil(async () => {
      const handle = await client.workflow.start(smokeSession, { taskQueue, workflowId });

      expect(await handle.executeUpdate(admitUpdate, { args: ['hello'] })).toBe(1);
      expect(await handle.executeUpdate(admitUpdate, { args: ['world'] })).toBe(2);
      await expect(handle.executeUpdate(admitUpdate, { args: [''] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      expect(await handle.query(statusQuery)).toEqual({ admitted: ['HELLO!', 'WORLD!'], closed: false });

      await handle.executeUpdate(closeUpdate);
      const result = await handle.result();
      // Once the workflow has completed the server itself refuses further Updates.
      await expect(handle.executeUpdate(admitUpdate, { args: ['late'] })).rejects.toThrow(/already completed/);
      return result;
    });

    expect(result).toEqual(['HELLO!', 'WORLD!']);
    // Rejected admissions never ran the activity.
    expect(activities.executions.shout - executionsBefore).toBe(2);

    // The recorded history replays against the same workflow code without a nondeterminism error.
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const updateAccepted = history.events?.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    expect(updateAccepted).toHaveLength(3);
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId);
  });
});
