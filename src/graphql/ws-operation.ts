import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { PARSE_OPTIONS, protectionRules } from './apollo.js';
import { unsafeInputError } from './input-safety.js';

/** What a graphql-ws `subscribe` message carries (already shape-checked by graphql-ws). */
export interface WsOperationPayload {
  readonly query: string;
  readonly operationName?: string | null;
  readonly variables?: Record<string, unknown> | null;
  readonly extensions?: Record<string, unknown> | null;
}

export interface PreparedOperation {
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly variableValues: Record<string, unknown>;
}

/**
 * The steps Apollo runs for an HTTP request, for an operation over graphql-ws, each refusal a
 * list of errors with the code Apollo would give (graphql-ws sends them as an `error` message
 * and keeps the connection): unsafe text in the variables (BAD_USER_INPUT), parse with the
 * token limit (GRAPHQL_PARSE_FAILED), validate with the same limits (GRAPHQL_VALIDATION_FAILED;
 * unsafe literals BAD_USER_INPUT), pick the operation (OPERATION_RESOLUTION_FAILURE), coerce
 * the variables (BAD_USER_INPUT). Nothing here throws.
 */
export function createWsOperationPreparer(schema: GraphQLSchema): (payload: WsOperationPayload) => PreparedOperation | GraphQLError[] {
  const rules: ValidationRule[] = [...specifiedRules, ...protectionRules()];
  return (payload) => {
    const unsafe = unsafeInputError(payload);
    if (unsafe !== undefined) return [new GraphQLError(unsafe.message, { originalError: unsafe })];
    let document: DocumentNode;
    try {
      document = parse(payload.query, PARSE_OPTIONS);
    } catch (err) {
      const e = err instanceof GraphQLError ? err : new GraphQLError(String(err));
      return [new GraphQLError(e.message, { ...(e.source ? { source: e.source } : {}), ...(e.positions ? { positions: e.positions } : {}), extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const errors = validate(schema, document, rules);
    if (errors.length > 0) return [...errors];
    const operation = getOperationAST(document, payload.operationName ?? undefined);
    if (operation === null || operation === undefined) {
      const message = payload.operationName ? `Unknown operation named "${payload.operationName}".` : 'Must provide operation name if query contains multiple operations.';
      return [new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
    }
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 10 });
    if (coerced.errors !== undefined) return coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes ?? null, extensions: { code: 'BAD_USER_INPUT' } }));
    return { document, operation, variableValues: payload.variables ?? {} };
  };
}
