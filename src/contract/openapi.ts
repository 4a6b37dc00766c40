import { z } from 'zod'
import { IngestResponse } from './attestations'
import { BuildDetail, BuildPage, BuildSummary, ProjectList } from './builds'
import { ApiErrorBody, Check, Verification } from './common'
import { LogCheckpoint } from './log'
import { PolicyList } from './policy'
import { ReverifyResult } from './reverify'
import { Health, HealthUnavailable, ServerMeta } from './meta'
import { routes, type RouteSpec } from './routes'
import { OtlpExportResponse, PipelineList, PipelineRun, WebhookResponse } from './telemetry'

/** Schemas published under components/schemas, by name. */
const components = {
  ApiError: ApiErrorBody,
  Check,
  Verification,
  BuildSummary,
  BuildPage,
  BuildDetail,
  ProjectList,
  IngestResponse,
  ServerMeta,
  Health,
  HealthUnavailable,
  LogCheckpoint,
  PolicyList,
  ReverifyResult,
  PipelineRun,
  PipelineList,
  OtlpExportResponse,
  WebhookResponse,
} satisfies Record<string, z.ZodType>

type JsonSchema = Record<string, unknown>

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema
  return rest
}

function refFor(schema: z.ZodType): JsonSchema | undefined {
  for (const [name, candidate] of Object.entries(components)) {
    if (candidate === schema) return { $ref: `#/components/schemas/${name}` }
  }
  return undefined
}

function parameters(where: 'path' | 'query', shape: z.ZodObject | undefined): JsonSchema[] {
  if (!shape) return []
  return Object.entries(shape.shape).map(([name, field]) => {
    const schema = toSchema(field as z.ZodType, 'input')
    const description = typeof schema.description === 'string' ? schema.description : undefined
    return {
      name,
      in: where,
      required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema,
    }
  })
}

function operation(id: string, route: RouteSpec): JsonSchema {
  const responses: Record<string, JsonSchema> = {}
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? { content: { 'application/json': { schema: refFor(response.schema) ?? toSchema(response.schema, 'output') } } }
        : {}),
    }
  }
  return {
    operationId: id,
    summary: route.summary,
    ...(route.scope === 'none' ? { security: [] } : {}),
    ...(route.scope === 'ingest' ? { security: [{ bearer: ['ingest'] }] } : {}),
    ...(route.scope === 'gate' ? { security: [{ bearer: ['gate'] }, { bearer: ['ingest'] }] } : {}),
    parameters: [...parameters('path', route.params), ...parameters('query', route.query)],
    ...(route.body
      ? {
          requestBody: {
            required: true,
            description: route.body.description,
            content: Object.fromEntries(route.body.contentTypes.map((type) => [type, { schema: {} }])),
          },
        }
      : {}),
    responses,
  }
}

/** The OpenAPI 3.1 document of the Provenance API, generated from the contract. */
export function openApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {}
  for (const [id, route] of Object.entries(routes) as [string, RouteSpec][]) {
    paths[route.path] = { ...paths[route.path], [route.method]: operation(id, route) }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Provenance API',
      version,
      description:
        'Ingests signed build provenance, verifies it, and serves builds, artifacts and verification results to the dashboard.',
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A token from the config file. Scope `ingest` for writes; `read` when reads require a token.',
        },
      },
      schemas: Object.fromEntries(Object.entries(components).map(([name, schema]) => [name, toSchema(schema, 'output')])),
    },
    paths,
  }
}
