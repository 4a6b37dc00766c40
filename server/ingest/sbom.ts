import { z } from 'zod'
import type { Subject } from '../../src/contract/common'
import type { SbomRecord } from '../documents/records'
import { childPath } from './canonical-json'
import { isRecord } from './errors'
import type { FormatHandler } from './format'
import { expecting, jsonObject, lenientSchema, list, optional, pick, readAs, readError, readLeniently, type DocumentFormat, type Tolerance } from './read'
import { FIELDS_IGNORED, unsignedVerification, withTolerated } from './verify'

/*
 * SBOMs: CycloneDX JSON (1.2 onwards) and SPDX JSON (2.2/2.3 and 3.0 JSON-LD), bare or as the predicate of an
 * in-toto Statement. The dashboard keeps what answers "what is this SBOM about, who made it, how big is it";
 * the document itself stays stored byte for byte for anything more.
 */

const CYCLONEDX: DocumentFormat = { code: 'invalid-cyclonedx', label: 'a CycloneDX SBOM' }
const SPDX2: DocumentFormat = { code: 'invalid-spdx', label: 'an SPDX 2 SBOM' }
const SPDX3: DocumentFormat = { code: 'invalid-spdx', label: 'an SPDX 3 JSON-LD SBOM' }

/** An SBOM's facts, and the malformed fields its reader stored as not given. */
export type SbomReading = { sbom: SbomRecord; tolerated: Tolerance[] }

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

/** `SHA-256` / `SHA256` / `sha-256` → `sha256`, the spelling in-toto digest sets use. */
export function normaliseAlgorithm(name: string): string {
  const lower = name.trim().toLowerCase()
  const sha = /^sha-?(1|224|256|384|512)$/.exec(lower)
  return sha ? `sha${sha[1]}` : lower
}

/** "syft-1.5.0", "syft 1.5.0", "syft@v1.5.0" → { name: "syft", version: "1.5.0" }; no version → null. */
export function splitToolVersion(text: string): { name: string; version: string | null } {
  const trimmed = text.trim()
  const match = /^(.+?)[-\s@]v?(\d[\w.+~-]*)$/.exec(trimmed)
  return match?.[1] && match[2] ? { name: match[1], version: match[2] } : { name: trimmed, version: null }
}

/** An SBOM's creation time (RFC 3339) in milliseconds; anything else is not a time it states, so null. */
export function statedTime(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : ms
}

/** A hash list as an in-toto digest set; fromEntries defines own properties, so even a "__proto__" algorithm stays data. */
const digestOf = (hashes: { algorithm: string; value: string }[]): Record<string, string> =>
  Object.fromEntries(hashes.map(({ algorithm, value }) => [normaliseAlgorithm(algorithm), value.toLowerCase()]))

/** CycloneDX hashes (`[{ alg: "SHA-256", content }]`). */
const CycloneDxHashes = list(z.object({ alg: z.string(), content: z.string() })).transform((hashes) => digestOf(hashes.map(({ alg, content }) => ({ algorithm: alg, value: content }))))

/** SPDX 2 checksums (`[{ algorithm: "SHA256", checksumValue }]`). */
const Spdx2Checksums = list(z.object({ algorithm: z.string(), checksumValue: z.string() })).transform((checksums) =>
  digestOf(checksums.map(({ algorithm, checksumValue }) => ({ algorithm, value: checksumValue }))),
)

/** syft writes a container image's digest as its CycloneDX version; it names the artifact as surely as a hash. */
function digestInVersion(version: string | null): Record<string, string> {
  const match = version ? /^(sha256|sha512):([0-9a-f]{64,128})$/i.exec(version) : null
  return match?.[1] && match[2] ? { [match[1].toLowerCase()]: match[2].toLowerCase() } : {}
}

// ---- CycloneDX ----

const CycloneDxTool = z.object({ name: optional(z.string()), group: optional(z.string()), version: optional(z.string()) })

// 1.2–1.4: an array of tools; 1.5+: { components: [...], services: [...] } (the array form is deprecated).
const CycloneDxTools = optional(
  pick((value) =>
    Array.isArray(value)
      ? z.array(CycloneDxTool)
      : z.object({ components: list(CycloneDxTool), services: list(CycloneDxTool) }, expecting('an array of tools or { components, services }')).transform(({ components, services }) => [...components, ...services]),
  ),
).transform((tools) =>
  (tools ?? []).flatMap(({ name, group, version }) => (name === null ? [] : [{ name: group ? `${group}/${name}` : name, version }])),
)

const CycloneDxBom = z.object({
  bomFormat: z.literal('CycloneDX', { error: (issue) => `bomFormat is ${JSON.stringify(issue.input)?.slice(0, 40) ?? 'missing'}, expected "CycloneDX"` }).optional(),
  specVersion: z.string().refine((version) => /^1\.\d+$/.test(version), {
    error: (issue) => `specVersion ${JSON.stringify(String(issue.input).slice(0, 20))} is not a CycloneDX 1.x version`,
  }),
  serialNumber: optional(z.string()),
  metadata: optional(
    z.object({
      component: optional(z.object({ name: optional(z.string()), version: optional(z.string()), purl: optional(z.string()), hashes: CycloneDxHashes })),
      tools: CycloneDxTools,
      timestamp: z.unknown().optional(),
    }),
  ),
  components: list(z.unknown()),
  formulation: z.unknown().optional(),
})

const CycloneDxComponent = z.object({ components: list(z.unknown()) })

/** Counts components, nested ones included, without recursion: nesting is bounded by the JSON depth limit, not the stack. */
function countComponents(components: unknown[], path: string): number {
  let count = 0
  const stack = components.map((component, index) => ({ component, path: childPath(path, index) }))
  while (stack.length > 0 && count < MAX_COMPONENTS_COUNTED) {
    const next = stack.pop()
    if (next === undefined) break
    const component = readAs(CYCLONEDX, CycloneDxComponent, next.component, next.path)
    count++
    const nestedPath = childPath(next.path, 'components')
    component.components.forEach((child, index) => stack.push({ component: child, path: childPath(nestedPath, index) }))
  }
  return count
}

/** Reads a CycloneDX JSON BOM found at `base` in the submitted document. */
export function readCycloneDx(value: unknown, base: string, statementSubjects: Subject[] = []): SbomReading {
  const bom = readAs(CYCLONEDX, CycloneDxBom, value, base)
  const component = bom.metadata?.component ?? null
  const version = component?.version ?? null
  return {
    sbom: {
      standard: 'cyclonedx',
      specVersion: bom.specVersion,
      serial: bom.serialNumber,
      subject: {
        name: component?.name ?? null,
        version,
        purl: component?.purl ?? null,
        digest: { ...digestInVersion(version), ...component?.hashes },
      },
      statementSubjects,
      componentCount: countComponents(bom.components, childPath(base, 'components')),
      tools: bom.metadata?.tools ?? [],
      formulation: bom.formulation ?? null,
      createdAt: statedTime(bom.metadata?.timestamp),
    },
    tolerated: [],
  }
}

// ---- SPDX 2 ----

const Spdx2Document = lenientSchema((tolerate) =>
  z.object({
    spdxVersion: z.string().transform((text, ctx) => {
      const version = /^SPDX-(2\.\d+)$/.exec(text)?.[1]
      if (version !== undefined) return version
      ctx.addIssue({ code: 'custom', message: `spdxVersion ${JSON.stringify(text.slice(0, 20))} is not SPDX-2.x`, input: text })
      return z.NEVER
    }),
    creationInfo: optional(z.object({ creators: list(z.string()), created: z.unknown().optional() })),
    packages: list(jsonObject),
    // The id a DESCRIBES relationship names the document by; SPDX's own default when it is malformed.
    SPDXID: tolerate(optional(z.string()), null),
    documentDescribes: list(z.string()),
    relationships: list(z.object({ spdxElementId: z.unknown().optional(), relationshipType: z.unknown().optional(), relatedSpdxElement: tolerate(optional(z.string()), null) })),
    documentNamespace: optional(z.string()),
    name: z.unknown().optional(),
  }),
)

/** Package ids, to find the package the document describes; a package with a malformed id is not it. */
const Spdx2PackageIds = lenientSchema((tolerate) => z.array(z.object({ SPDXID: tolerate(optional(z.string()), null) })))

const Spdx2Package = z.object({
  name: optional(z.string()),
  versionInfo: optional(z.string()),
  externalRefs: list(z.object({ referenceType: z.unknown().optional(), referenceLocator: z.unknown().optional() })),
  checksums: Spdx2Checksums,
})

const Spdx2ExternalRefs = lenientSchema((tolerate) => z.array(z.object({ referenceType: z.unknown().optional(), referenceLocator: tolerate(optional(z.string()), null) })))

/** Reads an SPDX 2.2/2.3 JSON document found at `base`. */
export function readSpdx2(value: unknown, base: string, statementSubjects: Subject[] = []): SbomReading {
  const { value: document, tolerated } = readLeniently(SPDX2, Spdx2Document, value, base)
  const tools = (document.creationInfo?.creators ?? [])
    .filter((creator) => /^Tool:/i.test(creator))
    .map((creator) => splitToolVersion(creator.replace(/^Tool:\s*/i, '')))
  // What the document describes: documentDescribes (2.2), else DESCRIBES relationships from the document (2.3).
  const documentId = document.SPDXID ?? 'SPDXRef-DOCUMENT'
  const described = new Set(document.documentDescribes)
  for (const relationship of document.relationships) {
    if (relationship.spdxElementId === documentId && relationship.relationshipType === 'DESCRIBES' && relationship.relatedSpdxElement !== null) {
      described.add(relationship.relatedSpdxElement)
    }
  }
  const packagesPath = childPath(base, 'packages')
  const ids = readLeniently(SPDX2, Spdx2PackageIds, document.packages, packagesPath)
  tolerated.push(...ids.tolerated)
  const rootIndex = ids.value.findIndex(({ SPDXID }) => SPDXID !== null && described.has(SPDXID))
  const rootPath = childPath(packagesPath, rootIndex)
  const root = rootIndex >= 0 ? readAs(SPDX2, Spdx2Package, document.packages[rootIndex], rootPath) : null
  let purl: string | null = null
  if (root) {
    const refs = readLeniently(SPDX2, Spdx2ExternalRefs, root.externalRefs, childPath(rootPath, 'externalRefs'))
    tolerated.push(...refs.tolerated)
    purl = refs.value.find((ref) => ref.referenceType === 'purl' && ref.referenceLocator !== null)?.referenceLocator ?? null
  }
  return {
    sbom: {
      standard: 'spdx',
      specVersion: document.spdxVersion,
      serial: document.documentNamespace,
      subject: root
        ? { name: root.name, version: root.versionInfo, purl, digest: root.checksums }
        : { name: readAs(SPDX2, optional(z.string()), document.name, childPath(base, 'name')), version: null, purl: null, digest: {} },
      statementSubjects,
      componentCount: document.packages.length,
      tools,
      formulation: null,
      createdAt: statedTime(document.creationInfo?.created),
    },
    tolerated,
  }
}

// ---- SPDX 3 ----

type Element = { path: string; record: Record<string, unknown>; id: string | null }

const Spdx3Document = z.object({ '@context': z.unknown().optional(), '@graph': z.array(jsonObject) })

/** Element ids, to follow rootElement references; an element with a malformed id cannot be referred to. */
const Spdx3ElementIds = lenientSchema((tolerate) => z.array(z.object({ spdxId: tolerate(optional(z.string()), null), '@id': tolerate(optional(z.string()), null) })))

const Spdx3Hashes = lenientSchema((tolerate) => list(z.object({ algorithm: tolerate(optional(z.string()), null), hashValue: tolerate(optional(z.string()), null) })))
const Spdx3Identifiers = lenientSchema((tolerate) => list(z.object({ externalIdentifierType: z.unknown().optional(), identifier: tolerate(optional(z.string()), null) })))
const text = optional(z.string())
const texts = list(z.string())

const typeOf = (element: Record<string, unknown>): unknown => element.type ?? element['@type']

/** Reads an SPDX 3.0 JSON-LD document (`@context` + `@graph`) found at `base`. */
export function readSpdx3(value: unknown, base: string, statementSubjects: Subject[] = []): SbomReading {
  const document = readAs(SPDX3, Spdx3Document, value, base)
  const graphPath = childPath(base, '@graph')
  const { value: ids, tolerated } = readLeniently(SPDX3, Spdx3ElementIds, document['@graph'], graphPath)
  const elements: Element[] = document['@graph'].map((record, index) => ({ path: childPath(graphPath, index), record, id: ids[index]?.spdxId ?? ids[index]?.['@id'] ?? null }))
  const byId = new Map<string, Element>()
  for (const element of elements) if (element.id !== null) byId.set(element.id, element)
  const rootsOf = (element: Element | undefined): string[] => (element ? readAs(SPDX3, texts, element.record.rootElement, childPath(element.path, 'rootElement')) : [])
  const field = (element: Element, key: string) => readAs(SPDX3, text, element.record[key], childPath(element.path, key))

  // specVersion lives in CreationInfo, which is either its own graph node or inlined in an element.
  const creationInfos = elements.flatMap(({ record, path }) =>
    typeOf(record) === 'CreationInfo' ? [{ record, path }] : isRecord(record.creationInfo) ? [{ record: record.creationInfo, path: childPath(path, 'creationInfo') }] : [],
  )
  const declared = creationInfos.map(({ record, path }) => readAs(SPDX3, text, record.specVersion, childPath(path, 'specVersion'))).find((version) => version !== null)
  const context = document['@context']
  // JSON-LD allows objects in @context as well as URLs; only a URL names the SPDX version.
  const fromContext = (Array.isArray(context) ? context : [context]).map((entry) => (typeof entry === 'string' ? /rdf\/(3\.[\d.]+)\//.exec(entry)?.[1] : undefined)).find(Boolean)
  const specVersion = declared ?? fromContext ?? '3'

  const spdxDocument = elements.find(({ record }) => typeOf(record) === 'SpdxDocument')
  // SpdxDocument → (software_Sbom →) the package it is about; a document may also root the package directly.
  let root: Element | undefined
  for (const id of rootsOf(spdxDocument)) {
    const element = byId.get(id)
    const candidate = element && typeOf(element.record) === 'software_Sbom' ? byId.get(rootsOf(element)[0] ?? '') : element
    if (candidate && typeOf(candidate.record) === 'software_Package') {
      root = candidate
      break
    }
  }
  root ??= elements.find((element) => typeOf(element.record) === 'software_Sbom' && rootsOf(element).length > 0)
  if (root && typeOf(root.record) === 'software_Sbom') root = byId.get(rootsOf(root)[0] ?? '')

  let digest: Record<string, string> = {}
  let purl: string | null = null
  if (root) {
    const hashes = readLeniently(SPDX3, Spdx3Hashes, root.record.verifiedUsing, childPath(root.path, 'verifiedUsing'))
    digest = Object.fromEntries(hashes.value.flatMap(({ algorithm, hashValue }) => (algorithm !== null && hashValue !== null ? [[normaliseAlgorithm(algorithm), hashValue.toLowerCase()]] : [])))
    purl = field(root, 'software_packageUrl')
    const identifiers = readLeniently(SPDX3, Spdx3Identifiers, root.record.externalIdentifier, childPath(root.path, 'externalIdentifier'))
    purl ??= identifiers.value.find((entry) => entry.externalIdentifierType === 'packageUrl' && entry.identifier !== null)?.identifier ?? null
    tolerated.push(...hashes.tolerated, ...identifiers.tolerated)
  }
  return {
    sbom: {
      standard: 'spdx',
      specVersion,
      serial: spdxDocument ? readAs(SPDX3, text, spdxDocument.record.spdxId ?? spdxDocument.record['@id'], childPath(spdxDocument.path, 'spdxId')) : null,
      subject: { name: root ? field(root, 'name') : null, version: root ? field(root, 'software_packageVersion') : null, purl, digest },
      statementSubjects,
      componentCount: elements.filter(({ record }) => typeOf(record) === 'software_Package').length,
      tools: elements
        .filter(({ record }) => typeOf(record) === 'Tool')
        .flatMap((element) => {
          const name = field(element, 'name')
          return name === null ? [] : [splitToolVersion(name)]
        }),
      formulation: null,
      createdAt: creationInfos.map(({ record }) => statedTime(record.created)).find((time) => time !== null) ?? null,
    },
    tolerated,
  }
}

// ---- As a predicate, and bare ----

/** Reads the SBOM an in-toto Statement carries as its predicate (CycloneDX or SPDX by predicate type). */
export function readSbomPredicate(predicateType: string, predicate: unknown, path: string, subjects: Subject[]): SbomReading {
  const cyclonedx = CYCLONEDX_PREDICATE.test(predicateType)
  // cosign once wrapped SBOM predicates as { Data: "<the SBOM as text>" }; read through that wrapping.
  let value = predicate
  if (isRecord(value) && typeof value.Data === 'string' && Object.keys(value).every((key) => key === 'Data' || key === 'Timestamp')) {
    try {
      value = JSON.parse(value.Data)
    } catch {
      throw readError(cyclonedx ? CYCLONEDX : SPDX2, childPath(path, 'Data'), 'the wrapped SBOM is not JSON (tag-value and XML SBOMs are not read)')
    }
  }
  if (cyclonedx) return readCycloneDx(value, path, subjects)
  if (isRecord(value) && looksLikeSpdx3(value)) return readSpdx3(value, path, subjects)
  return readSpdx2(value, path, subjects)
}

function bareSbom(format: string, what: string, read: (value: unknown, base: string) => SbomReading): FormatHandler['read'] {
  return (value) => {
    const { sbom, tolerated } = read(value, '$')
    return {
      format,
      payloadType: null,
      statement: null,
      verification: withTolerated(unsignedVerification(what), FIELDS_IGNORED, tolerated),
      extras: { sbom },
    }
  }
}

export const cyclonedxFormat: FormatHandler = {
  name: 'cyclonedx-json',
  label: 'a CycloneDX JSON SBOM',
  detect: looksLikeCycloneDx,
  read: bareSbom('cyclonedx-json', 'a bare CycloneDX SBOM', readCycloneDx),
}

export const spdxFormat: FormatHandler = {
  name: 'spdx-json',
  label: 'an SPDX 2 JSON SBOM',
  detect: looksLikeSpdx2,
  read: bareSbom('spdx-json', 'a bare SPDX SBOM', readSpdx2),
}

export const spdx3Format: FormatHandler = {
  name: 'spdx3-jsonld',
  label: 'an SPDX 3 JSON-LD SBOM',
  detect: looksLikeSpdx3,
  read: bareSbom('spdx3-jsonld', 'a bare SPDX 3 SBOM', readSpdx3),
}
