import type { ToolResultImage } from './tool-result-content.js';

/**
 * The planned context read from CAS, before it is rendered into one API's native shape. Every
 * part remembers `index`, the position of the context item it came from, so cache breakpoints
 * (which are item indexes) can be placed on the last native block of that item.
 */
export type NeutralPart =
  /** Instructions and catalogs: the system prompt, in order. */
  | { kind: 'system'; text: string; index: number }
  /** `itemId` is the provider item the text came from, present only when it came from this API kind. */
  | { kind: 'text'; role: 'user' | 'assistant' | 'system' | 'developer'; text: string; index: number; itemId?: string }
  /** An image or document (base64), part of a user or assistant message. */
  | { kind: 'media'; role: 'user' | 'assistant'; mediaType: string; base64: string; name: string; index: number }
  /** `raw` is the provider item exactly as emitted, present only when it came from this API kind. */
  | { kind: 'toolCall'; callId: string; name: string; argumentsText: string; raw?: Record<string, unknown>; index: number }
  /** `images` are images the tool returned; APIs that cannot take them in a tool result note them in text. */
  | { kind: 'toolResult'; callId: string; name?: string; isError: boolean; text: string; images: ToolResultImage[]; index: number }
  /** A reasoning item / thinking block / compaction item of this API kind, passed back verbatim. */
  | { kind: 'native'; raw: Record<string, unknown>; providerKind?: string; index: number };
