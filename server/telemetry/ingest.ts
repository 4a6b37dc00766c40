import type { OtlpExportResponse } from '../../src/contract/telemetry'
import type { Store } from '../store/types'
import { parseOtlpJson } from './otlp'

/**
 * The one path OTLP traces take into the store: POST /v1/traces and the demo seed both call it.
 * Throws OtlpError (a 400) for a malformed request; anything else it throws is a server fault.
 */
export async function ingestOtlpJson(store: Store, text: string): Promise<OtlpExportResponse> {
  const { spans, rejected } = parseOtlpJson(text)
  const outcome = spans.length > 0 ? await store.telemetry.ingest({ spans, runs: [], tasks: [] }) : { ignoredSpans: 0 }
  const foreign = outcome.ignoredSpans

  const messages: string[] = []
  if (rejected.length > 0) {
    const first = rejected[0]
    messages.push(`${rejected.length} span(s) with an invalid id were dropped (first: ${first?.path}: ${first?.reason})`)
  }
  if (foreign > 0) {
    messages.push(`${foreign} span(s) belong to traces without any cicd.pipeline.* attribute and were not stored: this receiver keeps CI/CD telemetry only`)
  }
  const dropped = rejected.length + foreign
  return dropped === 0 ? {} : { partialSuccess: { rejectedSpans: dropped, errorMessage: messages.join('; ') } }
}
