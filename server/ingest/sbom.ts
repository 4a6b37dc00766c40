import type { Subject } from '../../src/contract/common'
import type { SbomRecord } from '../store/types'
import { isRecord } from './errors'
import type { FormatHandler } from './format'
import { childPath, normaliseAlgorithm, Shape, splitToolVersion, unsignedVerification } from './shape'

/*
 * SBOMs: CycloneDX JSON (1.2 onwards) and SPDX JSON (2.2/2.3 and 3.0 JSON-LD), bare or as the predicate of an
 * in-toto Statement. The dashboard keeps what answers "what is this SBOM about, who made it, how big is it";
 * the document itself stays stored byte for byte for anything more.
 */

export const cyclonedx = new Shape('invalid-cyclonedx', 'a CycloneDX SBOM')
export const spdx = new Shape('invalid-spdx', 'an SPDX 2 SBOM')
export const spdx3 = new Shape('invalid-spdx', 'an SPDX 3 JSON-LD SBOM')

/** Counting nested components walks the tree; a bound keeps a hostile document from costing more than this. */
const MAX_COMPONENTS_COUNTED = 1_000_000

export const CYCLONEDX_PREDICATE = /^https:\/\/cyclonedx\.org\/bom(\/v?\d+(\.\d+)*)?\/?$/
export const SPDX_PREDICATE = /^https:\/\/spdx\.dev\/Document(\/v?\d+(\.\d+)*)?\/?$/
const SPDX3_CONTEXT = /spdx\.org\/rdf\/3\./

export function looksLikeCycloneDx(value: Record<string, unknown>): boolean {
  return value.bomFormat === 'CycloneDX'
}

export function looksLikeSpdx2(value: Record<string, unknown>): boolean {
  return typeof value.spdxVersion === 'string' && value.spdxVersion.startsWith('SPDX-')
}

export function looksLikeSpdx3(value: Record<string, unknown>): boolean {
  const context = value['@context']
  if (typeof context === 'string') return SPDX3_CONTEXT.test(context)
  return Array.isArray(context) && context.some((entry) => typeof entry === 'string' && SPDX3_CONTEXT.test(entry))
}

/** CycloneDX hashes (`[{ alg: "SHA-256", content }]`) as an in-toto digest set. */
function cyclonedxHashes(value: unknown, path: string): Record<string, string> {
  const digest: Record<string, string> = {}
  cyclonedx.optionalArray(value, path).forEach((entry, index) => {
    const at = childPath(path, index)
    const hash = cyclonedx.record(entry, at)
    const alg = cyclonedx.string(hash.alg, childPath(at, 'alg'))
    digest[normaliseAlgorithm(alg)] = cyclonedx.string(hash.content, childPath(at, 'content')).toLowerCase()
  })
  return digest
}

/** syft writes a container image's digest as its CycloneDX version; it names the artifact as surely as a hash. */
function digestInVersion(version: string | null): Record<string, string> {
  const match = version ? /^(sha256|sha512):([0-9a-f]{64,128})$/i.exec(version) : null
  return match?.[1] && match[2] ? { [match[1].toLowerCase()]: match[2].toLowerCase() } : {}
}

function countComponents(shape: Shape, components: unknown[], path: string): number {
  let count = 0
  const stack = components.map((component, index) => ({ component, path: childPath(path, index) }))
  while (stack.length > 0 && count < MAX_COMPONENTS_COUNTED) {
    const next = stack.pop()
    if (next === undefined) break
    const component = shape.record(next.component, next.path)
    count++
    const nestedPath = childPath(next.path, 'components')
    shape.optionalArray(component.components, nestedPath).forEach((child, index) => stack.push({ component: child, path: childPath(nestedPath, index) }))
  }
  return count
}

function cyclonedxTools(value: unknown, path: string): SbomRecord['tools'] {
  if (value === undefined || value === null) return []
  // 1.2–1.4: an array of tools; 1.5+: { components: [...], services: [...] } (the array form is deprecated).
  const entries: { tool: unknown; path: string }[] = []
  if (Array.isArray(value)) {
    cyclonedx.array(value, path).forEach((tool, index) => entries.push({ tool, path: childPath(path, index) }))
  } else {
    const tools = cyclonedx.record(value, path, 'an array of tools or { components, services }')
    for (const key of ['components', 'services']) {
      const at = childPath(path, key)
      cyclonedx.optionalArray(tools[key], at).forEach((tool, index) => entries.push({ tool, path: childPath(at, index) }))
    }
  }
  return entries.flatMap(({ tool, path: at }) => {
    const record = cyclonedx.record(tool, at)
    const name = cyclonedx.optionalString(record.name, childPath(at, 'name'))
    if (name === null) return []
    const group = cyclonedx.optionalString(record.group, childPath(at, 'group'))
    return [{ name: group ? `${group}/${name}` : name, version: cyclonedx.optionalString(record.version, childPath(at, 'version')) }]
  })
}

/** Reads a CycloneDX JSON BOM found at `base` in the submitted document. */
export function readCycloneDx(value: unknown, base: string, statementSubjects: Subject[] = []): SbomRecord {
  const bom = cyclonedx.record(value, base)
  if (bom.bomFormat !== undefined && bom.bomFormat !== 'CycloneDX') {
    throw cyclonedx.error(childPath(base, 'bomFormat'), `bomFormat is ${JSON.stringify(bom.bomFormat)}, expected "CycloneDX"`)
  }
  const specPath = childPath(base, 'specVersion')
  const specVersion = cyclonedx.string(bom.specVersion, specPath)
  if (!/^1\.\d+$/.test(specVersion)) throw cyclonedx.error(specPath, `specVersion ${JSON.stringify(specVersion.slice(0, 20))} is not a CycloneDX 1.x version`)
  const metadataPath = childPath(base, 'metadata')
  const metadata = cyclonedx.optionalRecord(bom.metadata, metadataPath)
  const componentPath = childPath(metadataPath, 'component')
  const component = cyclonedx.optionalRecord(metadata?.component, componentPath)
  const version = component ? cyclonedx.optionalString(component.version, childPath(componentPath, 'version')) : null
  const componentsPath = childPath(base, 'components')
  return {
    standard: 'cyclonedx',
    specVersion,
    serial: cyclonedx.optionalString(bom.serialNumber, childPath(base, 'serialNumber')),
    subject: {
      name: component ? cyclonedx.optionalString(component.name, childPath(componentPath, 'name')) : null,
      version,
      purl: component ? cyclonedx.optionalString(component.purl, childPath(componentPath, 'purl')) : null,
      digest: { ...digestInVersion(version), ...(component ? cyclonedxHashes(component.hashes, childPath(componentPath, 'hashes')) : {}) },
    },
    statementSubjects,
    componentCount: countComponents(cyclonedx, cyclonedx.optionalArray(bom.components, componentsPath), componentsPath),
    tools: cyclonedxTools(metadata?.tools, childPath(metadataPath, 'tools')),
    formulation: bom.formulation ?? null,
  }
}

/** SPDX 2 checksums (`[{ algorithm: "SHA256", checksumValue }]`) as an in-toto digest set. */
function spdxChecksums(value: unknown, path: string): Record<string, string> {
  const digest: Record<string, string> = {}
  spdx.optionalArray(value, path).forEach((entry, index) => {
    const at = childPath(path, index)
    const checksum = spdx.record(entry, at)
    const algorithm = spdx.string(checksum.algorithm, childPath(at, 'algorithm'))
    digest[normaliseAlgorithm(algorithm)] = spdx.string(checksum.checksumValue, childPath(at, 'checksumValue')).toLowerCase()
  })
  return digest
}

function spdxPurl(value: unknown, path: string): string | null {
  for (const [index, entry] of spdx.optionalArray(value, path).entries()) {
    const ref = spdx.record(entry, childPath(path, index))
    if (ref.referenceType === 'purl' && typeof ref.referenceLocator === 'string') return ref.referenceLocator
  }
  return null
}

/** Reads an SPDX 2.2/2.3 JSON document found at `base`. */
export function readSpdx2(value: unknown, base: string, statementSubjects: Subject[] = []): SbomRecord {
  const document = spdx.record(value, base)
  const versionPath = childPath(base, 'spdxVersion')
  const spdxVersion = spdx.string(document.spdxVersion, versionPath)
  const version = /^SPDX-(2\.\d+)$/.exec(spdxVersion)?.[1]
  if (version === undefined) throw spdx.error(versionPath, `spdxVersion ${JSON.stringify(spdxVersion.slice(0, 20))} is not SPDX-2.x`)
  const creationPath = childPath(base, 'creationInfo')
  const creation = spdx.optionalRecord(document.creationInfo, creationPath)
  const tools = spdx
    .strings(creation?.creators, childPath(creationPath, 'creators'))
    .filter((creator) => /^Tool:/i.test(creator))
    .map((creator) => splitToolVersion(creator.replace(/^Tool:\s*/i, '')))

  const packagesPath = childPath(base, 'packages')
  const packages = spdx.optionalArray(document.packages, packagesPath).map((entry, index) => ({
    path: childPath(packagesPath, index),
    record: spdx.record(entry, childPath(packagesPath, index)),
  }))
  // What the document describes: documentDescribes (2.2), else DESCRIBES relationships from the document (2.3).
  const documentId = typeof document.SPDXID === 'string' ? document.SPDXID : 'SPDXRef-DOCUMENT'
  const described = new Set(spdx.strings(document.documentDescribes, childPath(base, 'documentDescribes')))
  const relationshipsPath = childPath(base, 'relationships')
  spdx.optionalArray(document.relationships, relationshipsPath).forEach((entry, index) => {
    const relationship = spdx.record(entry, childPath(relationshipsPath, index))
    if (relationship.spdxElementId === documentId && relationship.relationshipType === 'DESCRIBES' && typeof relationship.relatedSpdxElement === 'string') {
      described.add(relationship.relatedSpdxElement)
    }
  })
  const root = packages.find(({ record }) => typeof record.SPDXID === 'string' && described.has(record.SPDXID))
  return {
    standard: 'spdx',
    specVersion: version,
    serial: spdx.optionalString(document.documentNamespace, childPath(base, 'documentNamespace')),
    subject: root
      ? {
          name: spdx.optionalString(root.record.name, childPath(root.path, 'name')),
          version: spdx.optionalString(root.record.versionInfo, childPath(root.path, 'versionInfo')),
          purl: spdxPurl(root.record.externalRefs, childPath(root.path, 'externalRefs')),
          digest: spdxChecksums(root.record.checksums, childPath(root.path, 'checksums')),
        }
      : { name: spdx.optionalString(document.name, childPath(base, 'name')), version: null, purl: null, digest: {} },
    statementSubjects,
    componentCount: packages.length,
    tools,
    formulation: null,
  }
}

const typeOf = (element: Record<string, unknown>): unknown => element.type ?? element['@type']

/** Reads an SPDX 3.0 JSON-LD document (`@context` + `@graph`) found at `base`. */
export function readSpdx3(value: unknown, base: string, statementSubjects: Subject[] = []): SbomRecord {
  const document = spdx3.record(value, base)
  const graphPath = childPath(base, '@graph')
  const elements = spdx3.array(document['@graph'], graphPath).map((entry, index) => ({
    path: childPath(graphPath, index),
    record: spdx3.record(entry, childPath(graphPath, index)),
  }))
  const byId = new Map<string, (typeof elements)[number]>()
  for (const element of elements) {
    const id = element.record.spdxId ?? element.record['@id']
    if (typeof id === 'string') byId.set(id, element)
  }
  const rootsOf = (element: (typeof elements)[number] | undefined): string[] =>
    element ? spdx3.strings(element.record.rootElement, childPath(element.path, 'rootElement')) : []

  // specVersion lives in CreationInfo, which is either its own graph node or inlined in an element.
  const creationInfos = elements.flatMap(({ record, path }) =>
    typeOf(record) === 'CreationInfo' ? [{ record, path }] : isRecord(record.creationInfo) ? [{ record: record.creationInfo, path: childPath(path, 'creationInfo') }] : [],
  )
  const declared = creationInfos
    .map(({ record, path }) => spdx3.optionalString(record.specVersion, childPath(path, 'specVersion')))
    .find((version) => version !== null)
  const context = document['@context']
  const fromContext = (Array.isArray(context) ? context : [context]).map((entry) => (typeof entry === 'string' ? /rdf\/(3\.[\d.]+)\//.exec(entry)?.[1] : undefined)).find(Boolean)
  const specVersion = declared ?? fromContext ?? '3'

  const spdxDocument = elements.find(({ record }) => typeOf(record) === 'SpdxDocument')
  // SpdxDocument → (software_Sbom →) the package it is about; a document may also root the package directly.
  let root: (typeof elements)[number] | undefined
  for (const id of rootsOf(spdxDocument)) {
    const element = byId.get(id)
    const candidate = element && typeOf(element.record) === 'software_Sbom' ? byId.get(rootsOf(element)[0] ?? '') : element
    if (candidate && typeOf(candidate.record) === 'software_Package') {
      root = candidate
      break
    }
  }
  root ??= elements.find(({ record }) => typeOf(record) === 'software_Sbom' && rootsOf({ record, path: '' }).length > 0)
  if (root && typeOf(root.record) === 'software_Sbom') root = byId.get(rootsOf(root)[0] ?? '')

  const digest: Record<string, string> = {}
  let purl: string | null = null
  if (root) {
    const hashesPath = childPath(root.path, 'verifiedUsing')
    spdx3.optionalArray(root.record.verifiedUsing, hashesPath).forEach((entry, index) => {
      const hash = spdx3.record(entry, childPath(hashesPath, index))
      if (typeof hash.algorithm === 'string' && typeof hash.hashValue === 'string') digest[normaliseAlgorithm(hash.algorithm)] = hash.hashValue.toLowerCase()
    })
    purl = spdx3.optionalString(root.record.software_packageUrl, childPath(root.path, 'software_packageUrl'))
    const identifiersPath = childPath(root.path, 'externalIdentifier')
    for (const [index, entry] of spdx3.optionalArray(root.record.externalIdentifier, identifiersPath).entries()) {
      const identifier = spdx3.record(entry, childPath(identifiersPath, index))
      if (identifier.externalIdentifierType === 'packageUrl' && typeof identifier.identifier === 'string') purl ??= identifier.identifier
    }
  }
  return {
    standard: 'spdx',
    specVersion,
    serial: spdxDocument ? (spdx3.optionalString(spdxDocument.record.spdxId ?? spdxDocument.record['@id'], childPath(spdxDocument.path, 'spdxId')) ?? null) : null,
    subject: {
      name: root ? spdx3.optionalString(root.record.name, childPath(root.path, 'name')) : null,
      version: root ? spdx3.optionalString(root.record.software_packageVersion, childPath(root.path, 'software_packageVersion')) : null,
      purl,
      digest,
    },
    statementSubjects,
    componentCount: elements.filter(({ record }) => typeOf(record) === 'software_Package').length,
    tools: elements
      .filter(({ record }) => typeOf(record) === 'Tool')
      .flatMap(({ record, path }) => {
        const name = spdx3.optionalString(record.name, childPath(path, 'name'))
        return name === null ? [] : [splitToolVersion(name)]
      }),
    formulation: null,
  }
}

/** Reads the SBOM an in-toto Statement carries as its predicate (CycloneDX or SPDX by predicate type). */
export function readSbomPredicate(predicateType: string, predicate: unknown, path: string, subjects: Subject[]): SbomRecord {
  // cosign once wrapped SBOM predicates as { Data: "<the SBOM as text>" }; read through that wrapping.
  let value = predicate
  if (isRecord(value) && typeof value.Data === 'string' && Object.keys(value).every((key) => key === 'Data' || key === 'Timestamp')) {
    try {
      value = JSON.parse(value.Data)
    } catch {
      const shape = CYCLONEDX_PREDICATE.test(predicateType) ? cyclonedx : spdx
      throw shape.error(childPath(path, 'Data'), 'the wrapped SBOM is not JSON (tag-value and XML SBOMs are not read)')
    }
  }
  if (CYCLONEDX_PREDICATE.test(predicateType)) return readCycloneDx(value, path, subjects)
  if (isRecord(value) && looksLikeSpdx3(value)) return readSpdx3(value, path, subjects)
  return readSpdx2(value, path, subjects)
}

export const cyclonedxFormat: FormatHandler = {
  name: 'cyclonedx-json',
  label: 'a CycloneDX JSON SBOM',
  detect: looksLikeCycloneDx,
  read: (value) => ({
    format: 'cyclonedx-json',
    payloadType: null,
    statement: null,
    verification: unsignedVerification('a bare CycloneDX SBOM'),
    extras: { sbom: readCycloneDx(value, '$') },
  }),
}

export const spdxFormat: FormatHandler = {
  name: 'spdx-json',
  label: 'an SPDX 2 JSON SBOM',
  detect: looksLikeSpdx2,
  read: (value) => ({
    format: 'spdx-json',
    payloadType: null,
    statement: null,
    verification: unsignedVerification('a bare SPDX SBOM'),
    extras: { sbom: readSpdx2(value, '$') },
  }),
}

export const spdx3Format: FormatHandler = {
  name: 'spdx3-jsonld',
  label: 'an SPDX 3 JSON-LD SBOM',
  detect: looksLikeSpdx3,
  read: (value) => ({
    format: 'spdx3-jsonld',
    payloadType: null,
    statement: null,
    verification: unsignedVerification('a bare SPDX 3 SBOM'),
    extras: { sbom: readSpdx3(value, '$') },
  }),
}
