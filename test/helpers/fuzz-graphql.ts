/**
 * GraphQL requests generated from the schema the hub serves: a valid document for a root field
 * (every required argument given a value of its type, passed as a variable or inline, a selection
 * of its output), a mutated one (wrong types, hostile strings and numbers, unknown fields,
 * depth, width, aliases), or random tokens. Root fields come from the schema, so new ones are
 * fuzzed without touching this file.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { nastyNumber, nastyString, nastyValue, randomText, type Rng } from './fuzz-random.js';

export interface FuzzRequest {
  readonly kind: 'valid' | 'mutated' | 'random';
  readonly operation: 'query' | 'mutation' | 'subscription';
  readonly field: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly operationName?: string;
}

export interface RootField {
  readonly operation: FuzzRequest['operation'];
  readonly field: GraphQLField<unknown, unknown>;
}

export function rootFields(schema: GraphQLSchema): RootField[] {
  const roots: Array<[FuzzRequest['operation'], ReturnType<GraphQLSchema['getQueryType']>]> = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([operation, type]) => (type ? Object.values(type.getFields()).map((field) => ({ operation, field })) : []));
}

/** A value of `type` that coerces, or (hostile) one that should not. */
function inputValue(r: Rng, type: GraphQLInputType, hostile: boolean, depth = 0): unknown {
  if (isNonNullType(type)) return inputValue(r, type.ofType, hostile, depth);
  if (hostile && r.chance(0.25)) return nastyValue(r, 2);
  if (isListType(type)) return Array.from({ length: r.int(3) }, () => inputValue(r, type.ofType, hostile, depth + 1));
  if (isEnumType(type)) return hostile && r.chance(0.3) ? randomText(r, 6) : r.pick(type.getValues()).value;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) || r.chance(0.4) || depth > 2);
    const object: Record<string, unknown> = Object.fromEntries(fields.filter(() => depth <= 3).map((f) => [f.name, inputValue(r, f.type, hostile, depth + 1)]));
    if (hostile && r.chance(0.2)) object[randomText(r, 5).replace(/\W/g, 'x') || 'x'] = nastyValue(r, 1);
    return object;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int': return hostile ? nastyNumber(r) : r.pick([0, 1, 10, 50, 500]);
      case 'Float': return hostile ? nastyNumber(r) : r.next() * 100;
      case 'Boolean': return hostile && r.chance(0.3) ? 'true' : r.chance(0.5);
      case 'DateTime': return hostile ? r.pick(['2026-13-45T99:99:99Z', '1970-01-01', nastyString(r), '2026-11-01T00:00:00+25:00']) : r.pick(['2026-01-01T00:00:00Z', '2026-11-28T09:30:00+08:00']);
      default: return hostile ? nastyString(r) : r.pick(['x', 'a'.repeat(43), 'fp1.k2026.' + 'A'.repeat(43), '0'.repeat(64), '象牙手镯', 'ivory']);
    }
  }
  return null;
}

/** A literal in GraphQL syntax for a JSON-like value (enums as names when `enumNames`). */
function literal(value: unknown, type: GraphQLInputType | undefined): string {
  const named = type ? getNamedType(type) : undefined;
  if (typeof value === 'string' && named && isEnumType(named) && /^[A-Za-z_]\w*$/.test(value)) return value;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, type && isListType(unwrapNonNull(type)) ? (unwrapNonNull(type) as { ofType: GraphQLInputType }).ofType : undefined)).join(', ')}]`;
  if (typeof value === 'object') {
    const fields = named && isInputObjectType(named) ? named.getFields() : {};
    return `{ ${Object.entries(value).filter(([k]) => /^[A-Za-z_]\w*$/.test(k)).map(([k, v]) => `${k}: ${literal(v, fields[k]?.type)}`).join(', ')} }`;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  return JSON.stringify(value);
}

function unwrapNonNull(type: GraphQLInputType): GraphQLInputType {
  return isNonNullType(type) ? type.ofType : type;
}

/** A selection of `type`'s fields to `depth`, leaves first; object fields with required arguments are skipped. */
function selection(r: Rng, type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isScalarType(named) || isEnumType(named)) return '';
  if (isUnionType(named)) return `{ __typename ${named.getTypes().slice(0, 2).map((t) => `... on ${t.name} ${selection(r, t, depth - 1) || '{ __typename }'}`).join(' ')} }`;
  if (!isObjectType(named) && !isInterfaceType(named)) return '';
  const fields = Object.values(named.getFields()).filter((f) => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined));
  const leaves = fields.filter((f) => { const t = getNamedType(f.type); return isScalarType(t) || isEnumType(t); });
  const objects = depth > 0 ? fields.filter((f) => !leaves.includes(f)) : [];
  const chosen = [...leaves.filter(() => r.chance(0.6)), ...objects.filter(() => r.chance(0.4))];
  const parts = chosen.map((f) => `${f.name} ${selection(r, f.type, depth - 1)}`.trim()).filter((p) => !p.endsWith(' ') );
  return `{ __typename ${parts.join(' ')} }`;
}

function argumentsOf(r: Rng, args: readonly GraphQLArgument[], hostile: boolean, variables: Record<string, unknown>, definitions: string[]): string {
  const given = args.filter((a) => isNonNullType(a.type) || r.chance(0.5));
  const parts = given.map((a) => {
    const value = inputValue(r, a.type, hostile);
    if (r.chance(0.6)) {
      const name = `v${definitions.length}`;
      definitions.push(`$${name}: ${hostile && r.chance(0.15) ? r.pick(['Int', 'String!', '[ID]', 'Nope']) : a.type.toString()}`);
      variables[name] = value;
      return `${a.name}: $${name}`;
    }
    return `${a.name}: ${literal(value, a.type)}`;
  });
  if (hostile && r.chance(0.15)) parts.push(`${randomText(r, 4).replace(/\W/g, 'z') || 'z'}: 1`);
  return parts.length === 0 ? '' : `(${parts.join(', ')})`;
}

/** A request for `root`, valid or mutated. */
export function fieldRequest(r: Rng, root: RootField, hostile: boolean): FuzzRequest {
  const variables: Record<string, unknown> = {};
  const definitions: string[] = [];
  const args = argumentsOf(r, root.field.args, hostile, variables, definitions);
  const body = `${root.field.name}${args} ${selection(r, root.field.type, r.int(3))}`.trim();
  let inner = body;
  if (hostile) {
    switch (r.int(6)) {
      case 0: inner = Array.from({ length: 1 + r.int(40) }, (_, i) => `a${i}: ${body}`).join(' '); break;
      case 1: inner = `${body} ${'__typename '.repeat(r.int(3000))}`; break;
      case 2: inner = `${body} ${'{ __typename '.repeat(1 + r.int(30))}${'}'.repeat(r.int(30))}`; break;
      case 3: inner = `${body} ${'@skip(if: false) '.repeat(r.int(40))}`; break;
      case 4: inner = `...F } fragment F on ${root.operation === 'query' ? 'Query' : root.operation === 'mutation' ? 'Mutation' : 'Subscription'} { ...F ${body}`; break;
      default: break;
    }
  }
  const name = r.chance(0.5) ? `Fuzz${r.int(1000)}` : undefined;
  const query = `${root.operation}${name ? ` ${name}` : ''}${definitions.length ? `(${definitions.join(', ')})` : ''} { ${inner} }`;
  return { kind: hostile ? 'mutated' : 'valid', operation: root.operation, field: root.field.name, query, variables, ...(name && r.chance(0.8) ? { operationName: name } : {}) };
}

const TOKENS = ['{', '}', '(', ')', '[', ']', ':', '...', '$', '@', '!', '=', '|', '&', 'query', 'mutation', 'subscription', 'fragment', 'on', 'true', 'null', '"x"', '"""b"""', '1', '-1.5e3', 'hubInfo', 'indicators', 'me', '__schema', '__type', '#c\n', '\u0000', '\ufeff'];

/** Tokens in random order: mostly syntax errors, sometimes a strange valid document. */
export function randomRequest(r: Rng): FuzzRequest {
  const query = Array.from({ length: r.int(60) }, () => r.pick(TOKENS)).join(r.pick([' ', '', '\n']));
  return { kind: 'random', operation: 'query', field: '', query, variables: r.chance(0.3) ? (nastyValue(r, 2) as Record<string, unknown>) ?? {} : {} };
}
