import type { EdgeState, LineageEdgeType, LineageNodeType } from '../src/contract/lineage'

/*
 * Large neighbourhoods come back grouped: more than GROUP_THRESHOLD neighbours of one node over one edge type
 * become one group ("412 builds of acme/api@1a2b3c4, 98% verified") with the newest few shown, and a cursor
 * that shows GROUP_PAGE more each time it is passed back. The cursor carries the group's id and how many to
 * show, so expanding is stateless and a URL holding the cursors reproduces the same picture.
 */

/** Neighbours of one kind up to this many are listed one by one. */
export const GROUP_THRESHOLD = 12
/** Members of a group shown before it is expanded. */
export const GROUP_SHOW = 3
/** Members each expansion adds. */
export const GROUP_PAGE = 25
/** The most members a group can show however often it is expanded; beyond, narrow the query (a build, a commit). */
export const GROUP_MAX_SHOWN = 500

export const groupId = (anchor: string, edgeType: LineageEdgeType, memberType: LineageNodeType): string => `group:${anchor}|${edgeType}|${memberType}`

export type Expansion = { group: string; shown: number }

// btoa/atob rather than Buffer: the mocks run this in the browser too.
function toBase64url(text: string): string {
  const binary = Array.from(new TextEncoder().encode(text), (byte) => String.fromCharCode(byte)).join('')
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64url(text: string): string | null {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)))
  } catch {
    return null
  }
}

export function encodeExpand(expansion: Expansion): string {
  return toBase64url(`${expansion.shown}~${expansion.group}`)
}

/** Null when the text is not a cursor this rule made (a tampered or truncated one). */
export function decodeExpand(cursor: string): Expansion | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null
  const text = fromBase64url(cursor)
  const match = text === null ? null : /^(\d{1,4})~(group:.+)$/.exec(text)
  if (match === null || match[1] === undefined || match[2] === undefined) return null
  const shown = Number(match[1])
  if (shown < 1 || shown > GROUP_MAX_SHOWN) return null
  return { group: match[2], shown }
}

/** The expansions asked for, by group; the larger wins when a group is named twice. */
export function expansionsOf(expansions: readonly Expansion[]): Map<string, number> {
  const byGroup = new Map<string, number>()
  for (const { group, shown } of expansions) byGroup.set(group, Math.max(byGroup.get(group) ?? 0, shown))
  return byGroup
}

/** How many neighbours to ask the reader for: enough to tell whether they will be grouped, or all an expansion shows. */
export const fetchLimit = (expanded: number | undefined): number => Math.max(GROUP_THRESHOLD + 1, expanded ?? 0)

export type GroupDecision = { grouped: false; shown: number } | { grouped: true; shown: number; nextShown: number | null }

/** Whether `total` neighbours are grouped, how many are shown, and what the next expansion would show. */
export function decideGroup(total: number, expanded: number | undefined): GroupDecision {
  if (total <= GROUP_THRESHOLD) return { grouped: false, shown: total }
  const shown = Math.min(total, expanded ?? GROUP_SHOW, GROUP_MAX_SHOWN)
  const next = Math.min(total, shown + GROUP_PAGE, GROUP_MAX_SHOWN)
  return { grouped: true, shown, nextShown: next > shown ? next : null }
}

const plural: Record<LineageNodeType, string> = {
  commit: 'commits',
  build: 'builds',
  artifact: 'artifacts',
  attestation: 'attestations',
  sbom: 'SBOMs',
  rebuild: 'rebuilds',
  deployment: 'deployments',
  environment: 'environments',
}

/**
 * "412 builds of acme/api@1a2b3c4, 98% verified": the percentage rounded down, so 99.9% never reads as 100%. A
 * deployment record is verified only when it was signed, so deployments say "signed".
 */
export function groupLabel(count: number, memberType: LineageNodeType, of: string, states: Record<EdgeState, number>, edgeType?: LineageEdgeType): string {
  const percent = count === 0 ? 0 : Math.floor((states.verified * 100) / count)
  const failed = states.failed > 0 ? `, ${states.failed} failed` : ''
  return `${count} ${plural[memberType]} ${of}, ${percent}% ${edgeType === 'deployed-to' ? 'signed' : 'verified'}${failed}`
}

/** The group's edge: failed when any member's edge failed, unverified when any is, else verified. */
export function groupState(states: Record<EdgeState, number>): { state: EdgeState; reason: string } {
  const total = states.verified + states.failed + states.unverified
  const reason = `${states.verified} of ${total} verified, ${states.failed} failed, ${states.unverified} unverified`
  if (states.failed > 0) return { state: 'failed', reason }
  if (states.unverified > 0) return { state: 'unverified', reason }
  return { state: 'verified', reason }
}
