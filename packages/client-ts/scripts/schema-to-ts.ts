// JSON Schema (draft-07, the subset zod's toJSONSchema emits) to TypeScript type text. Written for
// the API's generated artifacts: a keyword the converter does not know fails the generation
// instead of silently widening a type to `unknown`.

export type JsonSchema = boolean | { [keyword: string]: unknown };

/** Keywords that only constrain values (checked by the server), not the shape of the type. */
const VALUE_CONSTRAINTS = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'format', 'propertyNames', 'default', 'description', 'title', '$schema']);
const SHAPE_KEYWORDS = new Set(['$ref', 'type', 'const', 'enum', 'anyOf', 'oneOf', 'allOf', 'properties', 'required', 'additionalProperties', 'items']);

const REF_PREFIX = '#/definitions/';
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property key as written in a TS type literal. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

export interface TypeOptions {
  /**
   * A property with a `default` is present in what the server sends (zod fills it in), though a
   * caller may omit it. True for types only results use; params keep such properties optional.
   */
  defaultsPresent?: boolean;
}

/** The TS type of `schema`, indented for nesting at `depth`. */
export function schemaToType(schema: JsonSchema, depth = 0, options: TypeOptions = {}): string {
  if (schema === true) return 'unknown';
  if (schema === false) return 'never';
  for (const keyword of Object.keys(schema)) {
    if (!VALUE_CONSTRAINTS.has(keyword) && !SHAPE_KEYWORDS.has(keyword)) throw new Error(`schema keyword "${keyword}" is not supported by the client generator; teach scripts/schema-to-ts.ts its type`);
  }
  if (typeof schema.$ref === 'string') {
    if (!schema.$ref.startsWith(REF_PREFIX)) throw new Error(`unsupported $ref ${schema.$ref}`);
    return schema.$ref.slice(REF_PREFIX.length);
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map((value) => JSON.stringify(value)));
  if (Array.isArray(schema.anyOf)) return union((schema.anyOf as JsonSchema[]).map((member) => schemaToType(member, depth, options)));
  if (Array.isArray(schema.oneOf)) return union((schema.oneOf as JsonSchema[]).map((member) => schemaToType(member, depth, options)));
  if (Array.isArray(schema.allOf)) {
    const members = (schema.allOf as JsonSchema[]).map((member) => schemaToType(member, depth, options));
    return members.length === 1 ? members[0]! : members.map(parenthesize).join(' & ');
  }
  const type = schema.type;
  if (Array.isArray(type)) return union(type.map((one) => schemaToType({ ...schema, type: one }, depth, options)));
  switch (type) {
    case undefined:
      return 'unknown';
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return schema.items === undefined ? 'unknown[]' : `${parenthesize(schemaToType(schema.items as JsonSchema, depth, options))}[]`;
    case 'object':
      return objectType(schema, depth, options);
    default:
      throw new Error(`unsupported schema type ${JSON.stringify(type)}`);
  }
}

function objectType(schema: { [keyword: string]: unknown }, depth: number, options: TypeOptions): string {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const extra = schema.additionalProperties as JsonSchema | undefined;
  const names = Object.keys(properties);
  if (names.length === 0) {
    // A record (`z.record`) or an open object: keys are not known in advance.
    return `Record<string, ${extra === undefined || extra === true || extra === false ? 'unknown' : schemaToType(extra, depth, options)}>`;
  }
  const pad = '  '.repeat(depth + 1);
  const lines = names.map((name) => {
    const property = properties[name]!;
    const present = required.has(name) || (options.defaultsPresent === true && typeof property === 'object' && 'default' in property);
    return `${docComment(property, pad)}${pad}${propertyKey(name)}${present ? '' : '?'}: ${schemaToType(property, depth + 1, options)};`;
  });
  const literal = `{\n${lines.join('\n')}\n${'  '.repeat(depth)}}`;
  if (extra !== undefined && typeof extra === 'object') return `${literal} & Record<string, ${schemaToType(extra, depth, options)}>`;
  return literal;
}

/** A JSDoc block from `description` and `default`, or nothing. */
export function docComment(schema: JsonSchema, pad: string): string {
  if (typeof schema !== 'object') return '';
  const lines: string[] = [];
  if (typeof schema.description === 'string') lines.push(...schema.description.split('\n'));
  if ('default' in schema) lines.push(`@default ${JSON.stringify(schema.default)}`);
  if (lines.length === 0) return '';
  return `${pad}/**\n${lines.map((line) => `${pad} * ${line.replace(/\*\//g, '*\\/')}`).join('\n')}\n${pad} */\n`;
}

function union(members: string[]): string {
  const unique = [...new Set(members)];
  if (unique.length === 0) return 'never';
  return unique.length === 1 ? unique[0]! : unique.map(parenthesize).join(' | ');
}

/** Wraps a type that has a top-level `|` or `&`, which would bind wrongly inside `[]`, `|` or `&`. */
function parenthesize(type: string): string {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < type.length; i++) {
    const char = type[i]!;
    if (quoted) {
      if (char === '\\') i++;
      else if (char === '"') quoted = false;
    } else if (char === '/' && type[i + 1] === '*') {
      // Doc comments inside object literals are prose: skip them whole.
      i = type.indexOf('*/', i + 2) + 1;
    } else if (char === '"') quoted = true;
    else if ('{[(<'.includes(char)) depth++;
    else if ('}])>'.includes(char)) depth--;
    else if (depth === 0 && (char === '|' || char === '&')) return `(${type})`;
  }
  return type;
}
