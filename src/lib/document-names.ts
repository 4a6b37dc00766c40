import type { DocumentKind } from '../contract/signatures'

/** Each format the server reads, as people call it. */
export const FORMAT_NAMES: Record<string, string> = {
  dsse: 'DSSE envelope',
  'sigstore-bundle': 'Sigstore bundle',
  'in-toto-link': 'in-toto link',
  'npm-attestations': 'npm registry attestation',
  'cosign-signature': 'cosign image signature',
  'cosign-attestation': 'cosign image attestation',
  'pypi-attestation': 'PyPI attestation',
  'pypi-provenance': 'PyPI provenance',
  'gcloud-provenance': 'Cloud Build provenance',
  'rekor-entry': 'Rekor log entry',
  'in-toto-statement': 'unsigned in-toto Statement',
  'cyclonedx-json': 'CycloneDX SBOM',
  'spdx-json': 'SPDX SBOM',
}

const KIND_NAMES: Record<DocumentKind, string> = {
  provenance: 'Build provenance',
  sbom: 'SBOM',
  vsa: 'Verification summary (VSA)',
  link: 'in-toto link',
  rebuild: 'Rebuild verdict',
  deployment: 'Deployment',
  'test-result': 'Test result',
}

/** Formats whose name already says what the document is: "SBOM in a CycloneDX SBOM" says nothing more. */
const SAYS_WHAT_IT_IS = new Set(['cyclonedx-json', 'spdx-json', 'in-toto-link', 'pypi-provenance', 'gcloud-provenance'])

/**
 * What a document is and what it came in, for a list: "Build provenance" over "DSSE envelope"; only the format when
 * it says both, or when what the document is was not read.
 */
export function documentNames(format: string, kind: DocumentKind | null): { what: string; format: string | null } {
  const formatName = FORMAT_NAMES[format] ?? format
  if (kind === null || SAYS_WHAT_IT_IS.has(format)) return { what: formatName, format: null }
  return { what: KIND_NAMES[kind], format: formatName }
}
