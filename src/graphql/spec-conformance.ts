import { DirectiveLocation, GraphQLDirective, GraphQLScalarType, Kind, valueFromASTUntyped, type GraphQLSchema } from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';

/**
 * GraphQL, October 2021 edition, §3.13: the directive locations clients built on it (graphql-core
 * 3.2 among them) can read back from introspection. graphql-js 16.15 adds DIRECTIVE_DEFINITION
 * to @deprecated (from the draft after it); such a client's build_client_schema then fails on the
 * whole schema, so what the hub serves keeps to the edition clients implement.
 */
const OCTOBER_2021_LOCATIONS: ReadonlySet<string> = new Set(
  Object.values(DirectiveLocation).filter((l) => l !== DirectiveLocation.DIRECTIVE_DEFINITION),
);

/**
 * The schema as served: built-in directives limited to the October 2021 locations, and custom
 * scalars described as schema/ describes them — graphql-tools replaces an SDL scalar with the
 * resolver's GraphQLScalarType and with it the SDL's description and @specifiedBy URL, which are
 * restored here from the scalar's SDL definition.
 */
export function conformToOctober2021(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.DIRECTIVE]: (directive) => {
      const locations = directive.locations.filter((l) => OCTOBER_2021_LOCATIONS.has(l));
      return locations.length === directive.locations.length ? directive : new GraphQLDirective({ ...directive.toConfig(), locations });
    },
    [MapperKind.SCALAR_TYPE]: (scalar) => {
      const node = scalar.astNode;
      if (node === undefined || node === null) return scalar;
      const specifiedBy = node.directives?.find((d) => d.name.value === 'specifiedBy')?.arguments?.find((a) => a.name.value === 'url');
      const url = specifiedBy?.value.kind === Kind.STRING ? String(valueFromASTUntyped(specifiedBy.value)) : undefined;
      return new GraphQLScalarType({ ...scalar.toConfig(), description: scalar.description ?? node.description?.value ?? null, specifiedByURL: scalar.specifiedByURL ?? url ?? null });
    },
  });
}
