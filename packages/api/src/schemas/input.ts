import { z } from 'zod';
import { named } from './registry.js';

export const MediaKind = named('MediaKind', z.enum(['image', 'audio', 'document']));

/** User input as it crosses the wire: inline text, a text blob, or a media blob. */
export const InputItem = named(
  'InputItem',
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('text'), text: z.string() }),
    z.object({ type: z.literal('textRef'), blobRef: z.string() }),
    z.object({ type: z.literal('media'), blobRef: z.string(), mime: z.string(), kind: MediaKind, name: z.string().nullish() }),
  ]),
);
export type InputItem = z.infer<typeof InputItem>;
