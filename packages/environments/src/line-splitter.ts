import { StringDecoder } from 'node:string_decoder';

/** Chunks of a stream → its lines, a multi-byte character or a line split across chunks kept whole. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    const text = this.partial + this.decoder.write(chunk);
    const lines = text.split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) this.onLine(line);
  }

  /** The last line, when the stream did not end with a newline. */
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest.length > 0) this.onLine(rest);
  }
}
