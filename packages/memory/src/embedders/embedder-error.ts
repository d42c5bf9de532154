import { LightspeedError, type ErrorCode } from '@lightspeed/ports';

/**
 * An embedder could not make vectors: the endpoint refused (`invalid`, `forbidden`), stayed
 * unavailable after its retries (`unavailable`), or the local model is not installed. `details`
 * carries the HTTP status when there was one; never the API key.
 */
export class EmbedderError extends LightspeedError {
  constructor(code: ErrorCode, message: string, details: { model: string; status?: number }) {
    super(code, message, details);
    this.name = 'EmbedderError';
  }
}
