import { AuthError, grantFor, grantVisibility, type Grant, type ReadPath } from '../auth/index.js';
import type { Visibility } from '../indicators/index.js';
import type { GraphQLContext } from './context.js';

/** The caller's grant on `path` (src/auth/entitlement.ts decides; @requires already refused a caller without the field's scope). */
export function grantOf(ctx: GraphQLContext, path: ReadPath): Grant {
  if (ctx.principal.kind === 'anonymous') throw new AuthError('UNAUTHENTICATED', 'this field needs a token');
  return grantFor(ctx.principal, path);
}

/** What the caller may see of the store on `path`, as SQL conditions, judged at the request's time. */
export function visibilityOf(ctx: GraphQLContext, path: ReadPath): Visibility {
  return grantVisibility(grantOf(ctx, path), ctx.clock.now());
}
