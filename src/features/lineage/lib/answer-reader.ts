import { isApiError } from '../../../api/api-error'
import { parseJsonBytes } from '../../../api/client'
import { LineageGraph } from '../../../contract/lineage'
import { diffGraph, type GraphPatch } from './graph-patch'

/*
 * Reads lineage answers where they arrive in bytes (the answer worker, or the page where there is no worker): parses
 * and checks each against the contract, and remembers the last answer per request, so that a refresh of the same
 * request goes back to the page as a patch against the answer the page holds, not as a new graph.
 */

export type AnswerRequest = {
  id: number
  /** The request (its URL): answers of one key are diffed against each other. */
  key: string
  bytes: ArrayBuffer
  /** The version of this key's answer the page holds, to patch; null when it holds none. */
  base: number | null
  status: number
  endpoint: string
}

/** A failed read as it crosses to the page: the ApiError's fields, or (a bug of ours) a message. */
export type AnswerFailure = { apiError: { status: number; code: string; message: string; path: string | undefined; endpoint: string } } | { failure: string }

export type AnswerReply =
  | { id: number; version: number; graph: LineageGraph }
  | { id: number; version: number; base: number; patch: GraphPatch }
  | ({ id: number } & AnswerFailure)

/** Most requests whose last answer is kept (the root's graph and the neighbourhoods opened from it). */
const KEPT = 12

export function createAnswerReader(): (request: AnswerRequest) => AnswerReply {
  const last = new Map<string, { version: number; graph: LineageGraph }>()
  let nextVersion = 1
  return (request) => {
    let graph: LineageGraph
    try {
      graph = parseJsonBytes(request.bytes, LineageGraph, { status: request.status, endpoint: request.endpoint })
    } catch (error) {
      if (isApiError(error)) return { id: request.id, apiError: { status: error.status, code: error.code, message: error.message, path: error.path, endpoint: error.endpoint } }
      return { id: request.id, failure: error instanceof Error ? error.message : String(error) }
    }
    const before = last.get(request.key)
    const version = nextVersion++
    // Most recently used last, so the first key is the one to forget.
    last.delete(request.key)
    last.set(request.key, { version, graph })
    if (last.size > KEPT) last.delete(last.keys().next().value!)
    const patch = before && before.version === request.base ? diffGraph(before.graph, graph) : null
    return patch ? { id: request.id, version, base: before!.version, patch } : { id: request.id, version, graph }
  }
}

export function isAnswerRequest(value: unknown): value is AnswerRequest {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.id === 'number' && typeof v.key === 'string' && v.bytes instanceof ArrayBuffer && (v.base === null || typeof v.base === 'number') && typeof v.status === 'number' && typeof v.endpoint === 'string'
}

export function isAnswerReply(value: unknown): value is AnswerReply {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.id === 'number' && ('graph' in v || 'patch' in v || 'apiError' in v || 'failure' in v)
}
