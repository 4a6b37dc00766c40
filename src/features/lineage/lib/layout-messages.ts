import type { LayoutInput, LayoutResult } from './layout'

/** What the page sends the layout worker, and what comes back. */
export type LayoutRequest = { id: number; input: LayoutInput }
export type LayoutResponse = { id: number; result: LayoutResult } | { id: number; error: string }

export function isLayoutRequest(value: unknown): value is LayoutRequest {
  if (typeof value !== 'object' || value === null || !('id' in value) || !('input' in value)) return false
  const input = value.input
  return (
    typeof value.id === 'number' &&
    typeof input === 'object' &&
    input !== null &&
    'layer' in input &&
    input.layer instanceof Int32Array &&
    'seed' in input &&
    input.seed instanceof Float64Array &&
    'height' in input &&
    input.height instanceof Float64Array &&
    'edges' in input &&
    input.edges instanceof Int32Array &&
    'layers' in input &&
    typeof input.layers === 'number'
  )
}

export function isLayoutResponse(value: unknown): value is LayoutResponse {
  if (typeof value !== 'object' || value === null || !('id' in value) || typeof value.id !== 'number') return false
  if ('error' in value) return typeof value.error === 'string'
  return 'result' in value && typeof value.result === 'object' && value.result !== null && 'x' in value.result && value.result.x instanceof Float64Array
}

export function transferablesOf(result: LayoutResult): ArrayBuffer[] {
  return [result.x, result.y, result.order, result.edgeOffsets, result.edgePoints, result.edgeKind].map((array) => array.buffer as ArrayBuffer)
}
