/*
 * Which layers of an attached manifest are documents the ingest path reads, by media type (and, for generic
 * JSON layers, by the manifest's artifact type). The config blob is never a document.
 */

export type LayerKind = 'dsse' | 'sigstore-bundle' | 'statement' | 'sbom' | 'cosign-signature' | 'skip'

const SBOM_TYPES = ['application/spdx+json', 'text/spdx+json', 'application/vnd.cyclonedx+json', 'application/vnd.syft+json']

export function layerKind(mediaType: string, artifactType: string | undefined): LayerKind {
  const type = mediaType.toLowerCase().split(';')[0]?.trim() ?? ''
  const full = mediaType.toLowerCase()
  if (type === 'application/vnd.dsse.envelope.v1+json') return 'dsse'
  if (type.startsWith('application/vnd.dev.sigstore.bundle') || full.startsWith('application/vnd.dev.sigstore.bundle')) return 'sigstore-bundle'
  if (type === 'application/vnd.in-toto+json') return 'statement'
  // cosign's `.sig` layers: the payload is the layer, the signature one of its annotations (cosign-signature.ts).
  if (type === 'application/vnd.dev.cosign.simplesigning.v1+json') return 'cosign-signature'
  if (SBOM_TYPES.includes(type) || type.startsWith('application/vnd.cyclonedx')) return 'sbom'
  if (type === 'application/json' && artifactType !== undefined) return layerKind(artifactType, undefined)
  // Image layers, configs and anything else are not documents at all.
  return 'skip'
}
