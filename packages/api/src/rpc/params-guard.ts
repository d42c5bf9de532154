/**
 * Deepest JSON nesting params may have. Validation recurses through nested schemas (the VFS tree
 * manifest is recursive), so an 8 MiB body of nested objects would exhaust the stack inside zod;
 * measured first, iteratively, it is a plain -32602. The deepest legitimate params are a tree
 * manifest at the VFS depth limit (64 directories, about 130 levels of JSON).
 */
export const MAX_PARAMS_DEPTH = 256;

/**
 * What is wrong with the shape of raw params before schema validation, or undefined. Besides
 * depth: a `__proto__` key anywhere. JSON.parse keeps it as an own key, but zod records drop it
 * and plain-object code would treat it as the prototype, so such a file or key would vanish
 * without a trace; refusing it names the problem instead.
 */
export function paramsShapeProblem(value: unknown, maxDepth: number = MAX_PARAMS_DEPTH): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > maxDepth) return `nested more than ${maxDepth} levels deep`;
    if (!Array.isArray(current) && Object.hasOwn(current, '__proto__')) return 'a key named __proto__ is not accepted';
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return undefined;
}
