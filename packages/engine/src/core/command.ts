import type { CompactionFailedCommand, CompactionFinishedCommand, ContextCompactCommand } from '../context/compaction.js';
import type { ContextPutCommand, ContextRemoveCommand } from '../context/context.js';
import type { PromiseResolveCommand, TimerFiredCommand } from '../session/promises.js';
import type { ChildReportCommand } from '../fleet/children.js';
import type { OutboxDeliveredCommand } from '../fleet/outbox.js';
import type { RunCancelCommand, RunStartCommand, RunSteerCommand } from '../run/run.js';
import type { SessionCloseCommand, SessionConfigureCommand, SessionOpenCommand, SessionRenameCommand } from '../session/session.js';
import type { ToolFinishedCommand } from '../run/tool-batch.js';
import type { ToolsReplaceCommand } from '../session/toolset.js';
import type { GenerationFailedCommand, GenerationFinishedCommand } from '../run/turn.js';

/** Commands from users and from the runtime, discriminated by `type`. */
export type UserCommand =
  | SessionOpenCommand
  | SessionConfigureCommand
  | SessionRenameCommand
  | SessionCloseCommand
  | ToolsReplaceCommand
  | ContextPutCommand
  | ContextRemoveCommand
  | ContextCompactCommand
  | RunStartCommand
  | RunCancelCommand
  | RunSteerCommand
  | PromiseResolveCommand;

/** Results of effects the driver performed, admitted exactly like user commands. */
export type RuntimeResult =
  | GenerationFinishedCommand
  | GenerationFailedCommand
  | ToolFinishedCommand
  | CompactionFinishedCommand
  | CompactionFailedCommand
  | TimerFiredCommand
  | OutboxDeliveredCommand
  /** From another session of the universe (a child's outbox), admitted like any result. */
  | ChildReportCommand;

export type Command = UserCommand | RuntimeResult;

export type CommandType = Command['type'];
