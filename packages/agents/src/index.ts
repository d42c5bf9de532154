export * from './agent-schema.js';
export * from './agent-problems.js';
export * from './yaml-problems.js';
export * from './agent-file.js';
export * from './agent-profile.js';
export * from './agent-folder.js';
export * from './shipped-agents.js';
