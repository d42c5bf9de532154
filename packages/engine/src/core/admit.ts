import { reject, type Admission } from './admission.js';
import type { Command } from './command.js';
import { admitCompactionFailed, admitCompactionFinished, admitContextCompact } from '../context/compaction.js';
import { admitContextPut, admitContextRemove } from '../context/context.js';
import { admitPromiseResolve, admitTimerFired } from '../session/promises.js';
import { admitChildReport } from '../fleet/children.js';
import { admitOutboxDelivered } from '../fleet/outbox.js';
import { admitRunCancel, admitRunStart, admitRunSteer } from '../run/run.js';
import { admitClose, admitConfigure, admitOpen, admitRename } from '../session/session.js';
import type { SessionState } from './state.js';
import { admitToolFinished } from '../run/tool-batch.js';
import { admitToolsReplace } from '../session/toolset.js';
import { admitGenerationFailed, admitGenerationFinished } from '../run/turn.js';

/**
 * Validates a command against the current state: the events to append, or a typed rejection.
 * Pure: `now` is the only source of time (none of today's rules needs it, but admission is
 * where time-dependent rules belong, so it is part of the signature).
 */
export function admit(state: SessionState, command: Command, now: number): Admission {
  void now;
  if (typeof command !== 'object' || command === null || typeof command.type !== 'string') return reject('invalid', 'command: expected an object with a `type`');
  if (state.status === 'closed' && command.type !== 'outbox.delivered') return reject('closed', `session ${state.sessionId} is closed; open a new session`);
  if (state.status === 'new') {
    if (command.type === 'session.open') return admitOpen(state, command);
    return reject('not_found', `session ${state.sessionId} does not exist; open it first`);
  }
  switch (command.type) {
    case 'session.open':
      return admitOpen(state, command);
    case 'session.configure':
      return admitConfigure(state, command);
    case 'session.rename':
      return admitRename(state, command);
    case 'session.close':
      return admitClose(state, command);
    case 'tools.replace':
      return admitToolsReplace(state, command);
    case 'context.put':
      return admitContextPut(state, command);
    case 'context.remove':
      return admitContextRemove(state, command);
    case 'context.compact':
      return admitContextCompact(state, command);
    case 'run.start':
      return admitRunStart(state, command);
    case 'run.cancel':
      return admitRunCancel(state, command);
    case 'run.steer':
      return admitRunSteer(state, command);
    case 'promise.resolve':
      return admitPromiseResolve(state, command);
    case 'generation.finished':
      return admitGenerationFinished(state, command);
    case 'generation.failed':
      return admitGenerationFailed(state, command);
    case 'tool.finished':
      return admitToolFinished(state, command);
    case 'compaction.finished':
      return admitCompactionFinished(state, command);
    case 'compaction.failed':
      return admitCompactionFailed(state, command);
    case 'timer.fired':
      return admitTimerFired(state, command);
    case 'outbox.delivered':
      return admitOutboxDelivered(state, command);
    case 'child.report':
      return admitChildReport(state, command);
    default:
      return reject('invalid', `unknown command type ${String((command as { type: unknown }).type)}`);
  }
}
