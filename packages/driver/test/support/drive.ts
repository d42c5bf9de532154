import { admit, applyAll, initialState, plan, stamp, type Command, type SessionState } from '@lightspeed/engine';
import { LightspeedError } from '@lightspeed/ports';
import { performCompaction, performGeneration, persistActionBlobs, type DriverPorts } from '../../src/index.js';

/**
 * The smallest host there is: admit → stamp → apply, and the driver's effects run one at a time
 * until the planner is idle. No tools, timers or concurrency: enough to run the real engine and
 * the real driver against a provider and read the totals they produce.
 */
export class MiniHost {
  state: SessionState;
  readonly commands: Command[] = [];

  constructor(
    readonly ports: DriverPorts,
    sessionId = 'ses_driver',
  ) {
    this.state = initialState(sessionId);
  }

  submit(command: Command): void {
    this.commands.push(command);
    const admission = admit(this.state, command, this.ports.clock.now());
    if (!admission.ok) throw new LightspeedError(admission.rejection.code === 'invalid' ? 'invalid' : 'conflict', `${command.type}: ${admission.rejection.message}`);
    this.state = applyAll(this.state, stamp(this.state, admission.events, this.ports.clock.now()));
  }

  /** Plans and performs until the session has nothing left to do. */
  async settle(maxSteps = 100): Promise<SessionState> {
    for (let step = 0; step < maxSteps; step++) {
      const action = plan(this.state);
      if (action.type === 'append') {
        await persistActionBlobs(this.ports.blobs, action);
        this.state = applyAll(this.state, stamp(this.state, action.events, this.ports.clock.now()));
      } else if (action.type === 'generate') {
        this.submit(await performGeneration(this.state, action, this.ports));
      } else if (action.type === 'compact') {
        this.submit(await performCompaction(this.state, action, this.ports));
      } else if (action.type === 'idle' || action.type === 'closed') {
        return this.state;
      } else {
        throw new LightspeedError('internal', `MiniHost does not perform ${action.type}`);
      }
    }
    throw new LightspeedError('internal', `the session did not settle in ${maxSteps} steps`);
  }
}
