import type { z } from 'zod';
import { outcomeOf } from './notifications.js';

export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  method: string;
  paramsType: string;
  resultType: string;
  params: P;
  /** The bare result (`T`); the wire carries it inside `AgentApiOutcome<T>`. */
  result: R;
  outcome: z.ZodType;
  summary: string;
  description: string;
  /** A method this server adds to the v1 contract (not in the contract's manifest). */
  extension?: true;
}

/** A method of the v1 contract. */
export function spec<P extends z.ZodType, R extends z.ZodType>(
  method: string,
  params: [string, P],
  result: [string, R],
  summary: string,
  description: string,
): MethodSpec<P, R> {
  return {
    method,
    paramsType: params[0],
    resultType: result[0],
    params: params[1],
    result: result[1],
    outcome: outcomeOf(result[0], result[1]),
    summary,
    description,
  };
}

/** A method this server adds to the v1 contract (its summary says so; docs/0010 lists them). */
export function extension<P extends z.ZodType, R extends z.ZodType>(...args: Parameters<typeof spec<P, R>>): MethodSpec<P, R> {
  return { ...spec(...args), extension: true };
}
