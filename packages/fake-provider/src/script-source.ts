import { parseFakeScript, type FakeScript } from './script.js';

/** `[[fake-script {...}]]` in the last user message selects a script for that request. */
const MARKER = /\[\[fake-script\s+(\{[\s\S]*\})\s*\]\]/;

export function scriptFromMarker(text: string): FakeScript | undefined {
  const match = MARKER.exec(text);
  if (!match) return undefined;
  return parseFakeScript(JSON.parse(match[1]!));
}

/** FIFO of scripts queued through `enqueue` or `POST /_fake/script`; each request takes one. */
export class ScriptQueue {
  private readonly scripts: FakeScript[] = [];

  push(...scripts: FakeScript[]): void {
    this.scripts.push(...scripts.map((script) => parseFakeScript(script)));
  }

  take(): FakeScript | undefined {
    return this.scripts.shift();
  }

  clear(): void {
    this.scripts.length = 0;
  }

  get length(): number {
    return this.scripts.length;
  }
}
