import { defaultFieldResolver, type GraphQLFieldConfig, type GraphQLSchema } from 'graphql';
import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { AuthError, SCOPES, type Principal, type Scope } from '../auth/index.js';
import type { GraphQLContext } from './context.js';

/** `INDICATORS_READ` in the schema is the `indicators:read` scope of a token. */
function scopeOf(name: string): Scope {
  const scope = name.toLowerCase().replace('_', ':');
  if (!(SCOPES as readonly string[]).includes(scope)) throw new Error(`schema: unknown scope ${name}`);
  return scope as Scope;
}

interface Requirement {
  field: string;
  anyOf: Scope[];
  members: boolean;
  agencies: boolean;
}

function authorize(principal: Principal, rule: Requirement): void {
  if (principal.kind === 'anonymous') {
    throw new AuthError('UNAUTHENTICATED', `${rule.field} needs a token: send authorization: Bearer <token>`, { details: { field: rule.field } });
  }
  const allowed =
    principal.kind === 'member' ? rule.members : rule.agencies && (rule.anyOf.length === 0 || rule.anyOf.some((scope) => principal.scopes.has(scope)));
  if (!allowed) {
    const needs = principal.kind === 'member' ? 'an agency token' : !rule.agencies ? 'a member request token (it is for member nodes)' : `a token with ${rule.anyOf.join(' or ')}`;
    throw new AuthError('FORBIDDEN', `${rule.field} needs ${needs}`, { details: { field: rule.field, requires: rule.anyOf } });
  }
}

/**
 * Enforces @requires on every root field, before its resolver (or subscription) runs, from the
 * schema alone; a root field with neither @requires nor @public stops the hub at start, so a new
 * field cannot be exposed by forgetting to protect it.
 */
export function applyAuthorization(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.ROOT_FIELD]: (config: GraphQLFieldConfig<unknown, GraphQLContext>, fieldName, typeName) => {
      const field = `${typeName}.${fieldName}`;
      const requires = getDirective(schema, config, 'requires')?.[0] as { anyOf: string[]; members?: boolean; agencies?: boolean } | undefined;
      const isPublic = getDirective(schema, config, 'public') !== undefined;
      if ((requires === undefined) === !isPublic) throw new Error(`schema: ${field} must carry exactly one of @requires and @public`);
      if (requires === undefined) return config;
      const rule: Requirement = { field, anyOf: requires.anyOf.map(scopeOf), members: requires.members ?? false, agencies: requires.agencies ?? true };
      const resolve = config.resolve ?? defaultFieldResolver;
      const guarded: GraphQLFieldConfig<unknown, GraphQLContext> = {
        ...config,
        resolve: (source, args, ctx, info) => {
          authorize(ctx.principal, rule);
          return resolve(source, args, ctx, info);
        },
      };
      if (config.subscribe !== undefined) {
        const subscribe = config.subscribe;
        guarded.subscribe = (source, args, ctx, info) => {
          authorize(ctx.principal, rule);
          return subscribe(source, args, ctx, info);
        };
      }
      return guarded;
    },
  });
}
