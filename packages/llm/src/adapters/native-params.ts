import type { z } from 'zod';

/** Formats the first zod issue as an admission error message naming the offending param. */
export function validateNative(schema: z.ZodType, native: Record<string, unknown> | undefined, apiKind: string): string | undefined {
  if (native === undefined) return undefined;
  const result = schema.safeParse(native);
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  const path = issue.path.length > 0 ? `params.native.${issue.path.join('.')}` : 'params.native';
  return `${path}: ${issue.message} (${apiKind})`;
}
