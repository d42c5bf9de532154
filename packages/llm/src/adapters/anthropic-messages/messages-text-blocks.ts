type Json = Record<string, unknown>;

/**
 * The stored form of a message's cited text blocks: `{type: 'text_blocks', message_id, blocks}`,
 * each block exactly as Anthropic emitted it (`citations` included). Clients read the sources from
 * it (entry `providerKind: 'citations'`); the adapter sends the blocks back in place of the
 * message's merged text entry (same `providerItemId`).
 */
export const TEXT_BLOCKS_TYPE = 'text_blocks';

export function isTextBlocks(raw: Json): raw is Json & { message_id?: string; blocks: Json[] } {
  return raw.type === TEXT_BLOCKS_TYPE && Array.isArray(raw.blocks);
}
