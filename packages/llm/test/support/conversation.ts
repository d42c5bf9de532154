import { getText, putJson, putText } from '@lightspeed/cas';
import type { ApiKind, ContextEntry, GenerationFacts, GenerationParams, GenerationRequest, MessageRole, OutputItemFact, ToolDescriptor } from '@lightspeed/engine';
import type { BlobStore } from '@lightspeed/ports';

/**
 * Builds a context the way the engine does: every body in CAS, entries holding refs, adapter
 * outputs appended as entries tagged with the API kind that produced them.
 */
export class Conversation {
  readonly items: ContextEntry[] = [];
  readonly tools: ToolDescriptor[] = [];
  private next = 1;

  constructor(
    private readonly blobs: BlobStore,
    readonly apiKind: ApiKind,
  ) {}

  private push(entry: Omit<ContextEntry, 'id'>): ContextEntry {
    const full = { id: `ctx_${this.next++}`, ...entry } as ContextEntry;
    this.items.push(full);
    return full;
  }

  async instructions(text: string): Promise<this> {
    this.push({ kind: { type: 'instructions' }, contentRef: await putText(this.blobs, text), mediaType: 'text/plain' });
    return this;
  }

  async catalog(text: string): Promise<this> {
    this.push({ kind: { type: 'vfsCatalog' }, contentRef: await putText(this.blobs, text), mediaType: 'text/plain' });
    return this;
  }

  async message(role: MessageRole, text: string): Promise<this> {
    this.push({ kind: { type: 'message', role }, contentRef: await putText(this.blobs, text), mediaType: 'text/plain' });
    return this;
  }

  user(text: string): Promise<this> {
    return this.message('user', text);
  }

  async media(bytes: Uint8Array, mediaType: string): Promise<this> {
    const ref = (await this.blobs.put(bytes, { mediaType })).ref;
    this.push({ kind: { type: 'message', role: 'user' }, contentRef: ref, mediaType });
    return this;
  }

  async toolResult(callId: string, text: string, isError = false): Promise<this> {
    this.push({ kind: { type: 'toolResult', callId, isError }, contentRef: await putText(this.blobs, text), mediaType: 'text/plain' });
    return this;
  }

  async toolResultJson(callId: string, value: unknown, isError = false): Promise<this> {
    this.push({ kind: { type: 'toolResult', callId, isError }, contentRef: await putJson(this.blobs, value), mediaType: 'application/json' });
    return this;
  }

  /** Appends a generation's outputs in order, as the engine records them. */
  addOutputs(outputs: readonly OutputItemFact[]): this {
    for (const output of outputs) {
      const entry: Omit<ContextEntry, 'id'> = { kind: output.kind, contentRef: output.contentRef, apiKind: this.apiKind };
      if (output.mediaType !== undefined) entry.mediaType = output.mediaType;
      if (output.preview !== undefined) entry.preview = output.preview;
      if (output.providerKind !== undefined) entry.providerKind = output.providerKind;
      if (output.providerItemId !== undefined) entry.providerItemId = output.providerItemId;
      this.push(entry);
    }
    return this;
  }

  async tool(name: string, description: string, inputSchema: Record<string, unknown>): Promise<this> {
    this.tools.push({ name, parallelism: 'parallelSafe', definitionRef: await putJson(this.blobs, { description, inputSchema }) });
    return this;
  }

  request(model: string, options: { params?: GenerationParams; cacheBreakpoints?: number[]; turnId?: string; providerId?: string } = {}): GenerationRequest {
    return {
      sessionId: 'ses_test',
      runId: 'run_1',
      turnId: options.turnId ?? `turn_${this.next}`,
      model: { providerId: options.providerId ?? 'fake', apiKind: this.apiKind, model },
      params: options.params ?? {},
      items: [...this.items],
      tools: [...this.tools],
      cacheBreakpoints: options.cacheBreakpoints ?? [],
    };
  }
}

export async function outputTexts(blobs: BlobStore, facts: GenerationFacts): Promise<string[]> {
  return Promise.all(facts.outputs.filter((output) => output.kind.type === 'message').map((output) => getText(blobs, output.contentRef)));
}
