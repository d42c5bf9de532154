export * from './script.js';
export * from './server.js';
export * from './recorded-request.js';
export { ECHO_LABEL, argumentsFromSchema } from './echo.js';
export type { FakeProtocol } from './request-view.js';
export { parseRecording, type Recording } from './recording.js';
export { fakeEmbedding, renderEmbeddings, FAKE_EMBEDDING_DIMENSIONS } from './embeddings.js';
export * from './agent-cli-scripts.js';
