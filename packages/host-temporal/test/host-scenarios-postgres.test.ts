// The shared host scenario suite on the Temporal host: a real Temporal dev server, the session
// workflow on a native worker, and the store on a real PostgreSQL server.
import { describeHostScenarios } from '@lightspeed/testkit/host-suites';
import { afterAll } from 'vitest';
import { startTemporalTestHost, stopSharedPostgres } from './support/temporal-env.js';

afterAll(stopSharedPostgres);

describeHostScenarios('temporal (PostgreSQL store)', (deps) => startTemporalTestHost({ ...deps, backend: 'postgres' }));
