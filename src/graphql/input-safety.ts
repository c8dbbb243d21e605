import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';
import { findUnsafeText, unsafeTextReason, WildintelError } from '../kernel/index.js';

/**
 * Text the hub refuses in any GraphQL input (see kernel/text-safety.ts), decided once at the
 * edge: string literals in the document by a validation rule (over HTTP and graphql-ws alike),
 * variables, operation name and extensions before the request runs. The code is the one
 * GraphQL clients know for bad arguments.
 */
export class GraphQLInputError extends WildintelError<'BAD_USER_INPUT'> {}

/** The refusal for a request whose JSON input holds unsafe text, or undefined when it holds none. */
export function unsafeInputError(input: { variables?: unknown; operationName?: unknown; extensions?: unknown }): GraphQLInputError | undefined {
  for (const part of ['variables', 'operationName', 'extensions'] as const) {
    const found = findUnsafeText(input[part]);
    if (found !== undefined) {
      const where = part === 'variables' ? `variable ${found.path === '(value)' ? '' : `$${found.path}`}`.trim() : part;
      return new GraphQLInputError('BAD_USER_INPUT', `${where} ${found.reason}`, { details: { field: part === 'variables' ? found.path : part, reason: found.reason } });
    }
  }
  return undefined;
}

/** Validation rule: a string literal (an argument, a default value, an input field) with unsafe text is BAD_USER_INPUT. */
export function UnsafeTextRule(context: ValidationContext): ASTVisitor {
  return {
    StringValue(node) {
      const reason = unsafeTextReason(node.value);
      if (reason === undefined) return;
      context.reportError(new GraphQLError(`a string literal ${reason}`, { nodes: node, originalError: new GraphQLInputError('BAD_USER_INPUT', `a string literal ${reason}`, { details: { reason } }) }));
    },
  };
}
