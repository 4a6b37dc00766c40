import { gcloudProvenanceFormat } from './cloud-build'
import { cosignAttestationFormat } from './cosign-attestation'
import { cosignSignatureFormat } from './cosign-signature'
import { dsseFormat } from './dsse-format'
import { rekorEntryFormat } from './rekor-entry'
import type { FormatHandler } from './format'
import { linkFormat } from './link'
import { diffoscopeFormat } from './rebuild'
import { cyclonedxFormat, spdx3Format, spdxFormat } from './sbom'
import { pypiAttestationFormat, pypiProvenanceFormat } from './pypi-attestations'
import { npmAttestationsFormat, sigstoreBundleFormat } from './sigstore-format'
import { statementFormat } from './statement-format'

/** Every accepted format, most specific first: the first whose `detect` matches reads the document. */
export const formats: readonly FormatHandler[] = [
  sigstoreBundleFormat,
  npmAttestationsFormat,
  pypiAttestationFormat,
  pypiProvenanceFormat,
  gcloudProvenanceFormat,
  rekorEntryFormat,
  cosignSignatureFormat,
  cosignAttestationFormat,
  dsseFormat,
  linkFormat,
  statementFormat,
  cyclonedxFormat,
  spdxFormat,
  spdx3Format,
  diffoscopeFormat,
]
