import type { EdgeState } from '../../../contract/lineage'
import { LOOP_EDGE, type LayoutInput, type LayoutResult } from './layout'
import { LAYER_COUNT, type LineageView, type ViewNode } from './lineage-view'
import type { Viewport } from './lineage-search'

/*
 * What the canvas and the exports draw, in graph coordinates: the view and its layout plus indexes for culling
 * and hit testing (each column's nodes sorted top to bottom, each edge's vertical extent). Built once per layout;
 * a change of state (a node's verdict) needs no new scene, only a repaint.
 */

export const NODE_WIDTH = 220

export type Scene = {
  view: LineageView
  layout: LayoutResult
  /** Per column, node indices top to bottom. */
  columns: Int32Array[]
  /** Per edge: the bounding box of its route (the curves stay within their points' box). */
  edgeTop: Float64Array
  edgeBottom: Float64Array
  edgeLeft: Float64Array
  edgeRight: Float64Array
}

type Geometry = Omit<Scene, 'view' | 'layout'>

/**
 * The indexes depend on the layout and the structure only, and a layout is made for one structure: a refresh that
 * changed states reuses them (a new scene for the new view, the same geometry), so a state change costs no
 * sorting, and the canvas can tell from the shared layout that only what differs needs repainting.
 */
const geometries = new WeakMap<LayoutResult, Geometry>()

export function buildScene(view: LineageView, layout: LayoutResult): Scene {
  let geometry = geometries.get(layout)
  if (!geometry || geometry.columns.reduce((sum, column) => sum + column.length, 0) !== view.nodes.length) {
    geometry = measure(view, layout)
    geometries.set(layout, geometry)
  }
  return { view, layout, ...geometry }
}

function measure(view: LineageView, layout: LayoutResult): Geometry {
  const columnCount = 6
  const buckets: number[][] = Array.from({ length: columnCount }, () => [])
  view.nodes.forEach((node, index) => buckets[node.layer]?.push(index))
  const columns = buckets.map((bucket) => Int32Array.from(bucket).sort((a, b) => layout.y[a]! - layout.y[b]!))
  const edgeCount = view.edges.length
  const edgeTop = new Float64Array(edgeCount)
  const edgeBottom = new Float64Array(edgeCount)
  const edgeLeft = new Float64Array(edgeCount)
  const edgeRight = new Float64Array(edgeCount)
  for (let e = 0; e < edgeCount; e++) {
    let top = Number.POSITIVE_INFINITY
    let bottom = Number.NEGATIVE_INFINITY
    let left = Number.POSITIVE_INFINITY
    let right = Number.NEGATIVE_INFINITY
    for (let p = layout.edgeOffsets[e]!; p < layout.edgeOffsets[e + 1]!; p++) {
      const x = layout.edgePoints[2 * p]!
      const y = layout.edgePoints[2 * p + 1]!
      top = Math.min(top, y)
      bottom = Math.max(bottom, y)
      left = Math.min(left, x)
      right = Math.max(right, x)
    }
    edgeTop[e] = top
    edgeBottom[e] = bottom
    edgeLeft[e] = left
    edgeRight[e] = right
  }
  return { columns, edgeTop, edgeBottom, edgeLeft, edgeRight }
}

/** A rectangle in graph coordinates. */
export type Rect = { left: number; top: number; right: number; bottom: number }

/**
 * What a repaint must redo between two scenes of one layout: the nodes and edges whose objects differ (a refreshed
 * view keeps the identity of everything unchanged). Null when the layouts differ: everything is new.
 */
export function sceneChanges(before: Scene, after: Scene): { nodes: number[]; edges: number[] } | null {
  if (before.layout !== after.layout || before.view.nodes.length !== after.view.nodes.length || before.view.edges.length !== after.view.edges.length) return null
  const nodes: number[] = []
  const edges: number[] = []
  if (before.view === after.view) return { nodes, edges }
  for (let i = 0; i < after.view.nodes.length; i++) if (before.view.nodes[i] !== after.view.nodes[i]) nodes.push(i)
  for (let e = 0; e < after.view.edges.length; e++) if (before.view.edges[e] !== after.view.edges[e]) edges.push(e)
  return { nodes, edges }
}

/**
 * Where those changes are drawn, in graph coordinates: each node's box and each edge's route, with room for the
 * widest stroke at this zoom (strokes keep a minimum width on screen, so they are wider in graph units when small).
 */
export function changedRects(scene: Scene, changes: { nodes: readonly number[]; edges: readonly number[] }, scale: number): Rect[] {
  const margin = 4 * Math.max(1, 1 / scale)
  const rects: Rect[] = []
  for (const node of changes.nodes) {
    const viewNode = scene.view.nodes[node]
    if (!viewNode) continue
    const h = nodeHeight(viewNode)
    const x = scene.layout.x[node]!
    const y = scene.layout.y[node]!
    rects.push({ left: x - margin, top: y - h / 2 - margin, right: x + NODE_WIDTH + margin, bottom: y + h / 2 + margin })
  }
  for (const e of changes.edges) {
    if (e >= scene.edgeTop.length) continue
    rects.push({ left: scene.edgeLeft[e]! - margin, top: scene.edgeTop[e]! - margin, right: scene.edgeRight[e]! + margin, bottom: scene.edgeBottom[e]! + margin })
  }
  return rects
}

export function intersects(a: Rect, b: Rect): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
}

export function nodeHeight(node: ViewNode): number {
  return node.kind === 'group' ? GROUP_HEIGHT : NODE_HEIGHT
}

/** The node under a graph point, if any: the column from x, then a binary search on y. */
export function nodeAt(scene: Scene, x: number, y: number): number | null {
  const { layout, view } = scene
  for (const column of scene.columns) {
    const first = column[0]
    if (first === undefined) continue
    const left = layout.x[first]!
    if (x < left || x > left + NODE_WIDTH) continue
    let low = 0
    let high = column.length - 1
    while (low <= high) {
      const mid = (low + high) >> 1
      const node = column[mid]!
      const half = nodeHeight(view.nodes[node]!) / 2
      if (y < layout.y[node]! - half) high = mid - 1
      else if (y > layout.y[node]! + half) low = mid + 1
      else return node
    }
  }
  return null
}

/** The viewport that shows the whole graph, or a node at a readable size. */
export function fitViewport(scene: Scene, width: number, height: number): Viewport {
  const scale = Math.max(0.002, Math.min(1.5, width / Math.max(1, scene.layout.width), height / Math.max(1, scene.layout.height)))
  return { x: (scene.layout.width - width / scale) / 2, y: (scene.layout.height - height / scale) / 2, scale }
}

export function centreOn(scene: Scene, node: number, width: number, height: number, scale: number): Viewport {
  const x = scene.layout.x[node]! + NODE_WIDTH / 2
  const y = scene.layout.y[node]!
  return { x: x - width / 2 / scale, y: y - height / 2 / scale, scale }
}

export const stateStyle: Record<EdgeState, { colour: string; dash: number[]; width: number; word: string; mark: string }> = {
  verified: { colour: '#3b6e52', dash: [], width: 1.25, word: 'verified', mark: '✓' },
  failed: { colour: '#c0241b', dash: [], width: 2.5, word: 'failed', mark: '✗' },
  unverified: { colour: '#5d6876', dash: [6, 4], width: 1.25, word: 'unverified', mark: '?' },
}

export const typeColour: Record<ViewNode['kind'], string> = {
  commit: '#eef1f6',
  build: '#e8f0fb',
  artifact: '#eaf6ee',
  attestation: '#f5effa',
  sbom: '#f5effa',
  rebuild: '#f5effa',
  deployment: '#fdf3e3',
  environment: '#fbeaea',
  group: '#f0f3f7',
}

export type Highlights = {
  selected: number | null
  /** Nodes a find matched. */
  matches: ReadonlySet<number>
}

/** Traces one edge's route: straight through the columns it passes, a curve across each gap. */
export function traceEdge(path: { moveTo(x: number, y: number): void; lineTo(x: number, y: number): void; bezierCurveTo(a: number, b: number, c: number, d: number, e: number, f: number): void }, layout: LayoutResult, e: number): void {
  const from = layout.edgeOffsets[e]!
  const to = layout.edgeOffsets[e + 1]!
  const points = layout.edgePoints
  path.moveTo(points[2 * from]!, points[2 * from + 1]!)
  if (layout.edgeKind[e] === LOOP_EDGE) {
    const bend = points[2 * (from + 1)]!
    path.bezierCurveTo(bend, points[2 * from + 1]!, bend, points[2 * (from + 2) + 1]!, points[2 * (from + 2)]!, points[2 * (from + 2) + 1]!)
    return
  }
  for (let p = from; p + 1 < to; p++) {
    const x0 = points[2 * p]!
    const y0 = points[2 * p + 1]!
    const x1 = points[2 * (p + 1)]!
    const y1 = points[2 * (p + 1) + 1]!
    if (y0 === y1) path.lineTo(x1, y1)
    else {
      const mid = (x0 + x1) / 2
      path.bezierCurveTo(mid, y0, mid, y1, x1, y1)
    }
  }
}

/** Paints the scene on a 2D canvas: the graph, then the highlights over it. */
export function drawScene(ctx: CanvasRenderingContext2D, scene: Scene, viewport: Viewport, width: number, height: number, dpr: number, highlights: Highlights): void {
  drawGraph(ctx, scene, viewport, width, height, dpr)
  drawHighlights(ctx, scene, viewport, dpr, highlights)
}

/**
 * The graph without highlights, as much as is in view. How much of each node is drawn depends on its size on
 * screen (a dot, a box, a box with its text), so a 5,000-node overview costs about as much as a close-up.
 */
export function drawGraph(ctx: CanvasRenderingContext2D, scene: Scene, viewport: Viewport, width: number, height: number, dpr: number): void {
  const { scale } = viewport
  const rect = { left: viewport.x, top: viewport.y, right: viewport.x + width / scale, bottom: viewport.y + height / scale }
  drawRegion(ctx, scene, scale, dpr, viewport.x * scale * dpr, viewport.y * scale * dpr, rect, false)
}

/**
 * The graph inside `rect` (graph coordinates) on white, at a zoom, on a canvas whose top-left corner is the device
 * pixel `origin` of the graph drawn at that zoom: a whole view, a tile of the cache, or a part of a tile that a
 * state change touched (`clip` then keeps the redraw inside it). Everything outside the rectangle is skipped: the
 * edges by their bounding boxes, the nodes by a binary search of their column.
 */
export function drawRegion(ctx: CanvasRenderingContext2D, scene: Scene, scale: number, dpr: number, originX: number, originY: number, rect: Rect, clip: boolean): void {
  const { layout, view } = scene
  const k = scale * dpr
  ctx.setTransform(k, 0, 0, k, -originX, -originY)
  const { left, top, right, bottom } = rect
  if (clip) {
    ctx.save()
    ctx.beginPath()
    ctx.rect(left, top, right - left, bottom - top)
    ctx.clip()
  }
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(left, top, right - left, bottom - top)
  const pixel = 1 / scale
  // Strokes reach past an edge's points by half their width.
  const reach = 3 * Math.max(1, pixel)

  // Edges, one path per state: three strokes for thousands of edges.
  for (const state of ['verified', 'unverified', 'failed'] as const) {
    const style = stateStyle[state]
    ctx.beginPath()
    let any = false
    for (let e = 0; e < view.edges.length; e++) {
      if (scene.edgeBottom[e]! + reach < top || scene.edgeTop[e]! - reach > bottom || scene.edgeRight[e]! + reach < left || scene.edgeLeft[e]! - reach > right) continue
      if (view.edges[e]!.state !== state) continue
      traceEdge(ctx, layout, e)
      any = true
    }
    if (!any) continue
    ctx.strokeStyle = style.colour
    ctx.lineWidth = Math.max(style.width * pixel, style.width * Math.min(1, scale) * pixel)
    ctx.setLineDash(style.dash.map((length) => length * pixel))
    ctx.stroke()
  }
  ctx.setLineDash([])

  const boxHeight = NODE_HEIGHT * scale
  for (const column of scene.columns) {
    const first = column[0]
    if (first === undefined) continue
    const x = layout.x[first]!
    if (x - reach > right || x + NODE_WIDTH + reach < left) continue
    const start = firstAtOrBelow(column, layout.y, top - GROUP_HEIGHT)
    if (boxHeight < 6) {
      // An overview: each node a filled box coloured by its state, one fill per state.
      for (const state of ['verified', 'unverified', 'failed'] as const) {
        ctx.beginPath()
        for (let i = start; i < column.length; i++) {
          const node = column[i]!
          const y = layout.y[node]!
          if (y > bottom + GROUP_HEIGHT) break
          if (view.nodes[node]!.state !== state) continue
          const h = nodeHeight(view.nodes[node]!)
          ctx.rect(x, y - h / 2, NODE_WIDTH, h)
        }
        ctx.fillStyle = state === 'verified' ? '#9cc2ab' : state === 'failed' ? '#e0726b' : '#b9c1cb'
        ctx.fill()
      }
      continue
    }
    const withText = boxHeight >= 20
    for (let i = start; i < column.length; i++) {
      const node = column[i]!
      const y = layout.y[node]!
      if (y > bottom + GROUP_HEIGHT) break
      drawNode(ctx, view.nodes[node]!, x, y, pixel, withText)
    }
  }
  if (clip) ctx.restore()
  ctx.setTransform(1, 0, 0, 1, 0, 0)
}

/** Over the graph: the selected node's links drawn thick, the find's matches ringed, then the selected node. */
export function drawHighlights(ctx: CanvasRenderingContext2D, scene: Scene, viewport: Viewport, dpr: number, highlights: Highlights): void {
  const { layout, view } = scene
  const { scale } = viewport
  const pixel = 1 / scale
  ctx.setTransform(dpr * scale, 0, 0, dpr * scale, -viewport.x * scale * dpr, -viewport.y * scale * dpr)
  const selected = highlights.selected
  if (selected !== null) {
    for (const e of view.incident[selected] ?? []) {
      const style = stateStyle[view.edges[e]!.state]
      ctx.beginPath()
      traceEdge(ctx, layout, e)
      ctx.strokeStyle = style.colour
      ctx.lineWidth = 3.5 * pixel
      ctx.setLineDash(style.dash.map((length) => length * 1.5 * pixel))
      ctx.stroke()
    }
    ctx.setLineDash([])
  }
  for (const node of highlights.matches) ring(ctx, scene, node, '#c98a00', 3 * pixel, 4 * pixel)
  if (selected !== null) ring(ctx, scene, selected, '#1f5fa8', 3 * pixel, 3 * pixel)
  ctx.setTransform(1, 0, 0, 1, 0, 0)
}

function ring(ctx: CanvasRenderingContext2D, scene: Scene, node: number, colour: string, width: number, gap: number): void {
  const viewNode = scene.view.nodes[node]
  if (!viewNode) return
  const h = nodeHeight(viewNode)
  ctx.strokeStyle = colour
  ctx.lineWidth = width
  ctx.setLineDash([])
  ctx.strokeRect(scene.layout.x[node]! - gap, scene.layout.y[node]! - h / 2 - gap, NODE_WIDTH + 2 * gap, h + 2 * gap)
}

function firstAtOrBelow(column: Int32Array, y: Float64Array, limit: number): number {
  let low = 0
  let high = column.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (y[column[mid]!]! < limit) low = mid + 1
    else high = mid
  }
  return low
}

function drawNode(ctx: CanvasRenderingContext2D, node: ViewNode, x: number, y: number, pixel: number, withText: boolean): void {
  const h = nodeHeight(node)
  const topY = y - h / 2
  const style = stateStyle[node.state]
  ctx.fillStyle = typeColour[node.kind]
  ctx.fillRect(x, topY, NODE_WIDTH, h)
  ctx.strokeStyle = style.colour
  ctx.lineWidth = (node.state === 'failed' ? 2.5 : 1.25) * Math.max(pixel, 1)
  ctx.setLineDash(node.state === 'unverified' ? [5, 3] : [])
  ctx.strokeRect(x, topY, NODE_WIDTH, h)
  if (node.kind === 'group') ctx.strokeRect(x + 3, topY + 3, NODE_WIDTH - 6, h - 6)
  ctx.setLineDash([])
  if (node.flag) {
    ctx.fillStyle = '#c0241b'
    ctx.fillRect(x, topY, 5, h)
  }
  if (!withText) return
  ctx.fillStyle = '#17202b'
  ctx.textBaseline = 'middle'
  ctx.font = '600 13px system-ui, sans-serif'
  const kind = node.kind === 'commit' ? 'commit' : node.kind
  ctx.fillText(clip(ctx, `${kind} · ${node.label}`, NODE_WIDTH - 20), x + 10, topY + 14)
  // Second line: the key on the left, the state in words on the right (never colour alone).
  const stateText = `${style.mark} ${style.word}${node.flag ? ' ⚑' : ''}${node.hidden > 0 && node.kind !== 'group' ? ` +${node.hidden}` : ''}`
  ctx.font = '600 11px system-ui, sans-serif'
  const stateWidth = ctx.measureText(stateText).width
  ctx.fillStyle = style.colour
  ctx.fillText(stateText, x + NODE_WIDTH - 8 - stateWidth, topY + 32)
  ctx.font = '12px ui-monospace, monospace'
  ctx.fillStyle = '#4a5563'
  ctx.fillText(clip(ctx, node.detail, NODE_WIDTH - 26 - stateWidth), x + 10, topY + 32)
}

const clipCache = new Map<string, string>()
/** Text cut with an ellipsis to fit a width; remembered, since the same labels are drawn every frame. */
function clip(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  const key = `${ctx.font}|${width}|${text}`
  const known = clipCache.get(key)
  if (known !== undefined) return known
  let out = text
  if (ctx.measureText(text).width > width) {
    let low = 0
    let high = text.length
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (ctx.measureText(`${text.slice(0, mid)}…`).width <= width) low = mid
      else high = mid - 1
    }
    out = `${text.slice(0, low)}…`
  }
  if (clipCache.size > 20_000) clipCache.clear()
  clipCache.set(key, out)
  return out
}

export const NODE_HEIGHT = 44
export const GROUP_HEIGHT = 52

/** The layout's input for a view: layers from the node types, seeded by time. */
export function layoutInput(view: LineageView): LayoutInput {
  const n = view.nodes.length
  const layer = new Int32Array(n)
  const seed = new Float64Array(n)
  const height = new Float64Array(n)
  view.nodes.forEach((node, index) => {
    layer[index] = node.layer
    seed[index] = Number.isNaN(node.time) ? 0 : node.time
    height[index] = node.kind === 'group' ? GROUP_HEIGHT : NODE_HEIGHT
  })
  const edges = new Int32Array(view.edges.length * 2)
  view.edges.forEach((edge, index) => {
    edges[2 * index] = edge.from
    edges[2 * index + 1] = edge.to
  })
  return { layers: LAYER_COUNT, layer, seed, height, edges }
}

/**
 * Where the arrow keys go from a node: right follows edges to the next layer, left to the previous one, up and
 * down step through the other nodes joined to the same neighbour (siblings), nearest first.
 */
export function neighbourInDirection(view: LineageView, at: number, direction: 'left' | 'right' | 'up' | 'down', y: ArrayLike<number>): number | null {
  const here = view.nodes[at]
  if (!here) return null
  const pick = (candidates: number[]) => {
    let best: number | null = null
    for (const candidate of candidates) {
      if (best === null || Math.abs(y[candidate]! - y[at]!) < Math.abs(y[best]! - y[at]!)) best = candidate
    }
    return best
  }
  const joined = (view.incident[at] ?? []).map((edgeIndex) => {
    const edge = view.edges[edgeIndex]!
    return edge.from === at ? edge.to : edge.from
  })
  if (direction === 'right' || direction === 'left') {
    const wanted = joined.filter((other) => (direction === 'right' ? view.nodes[other]!.layer > here.layer : view.nodes[other]!.layer < here.layer))
    return pick(wanted.length > 0 ? wanted : joined.filter((other) => view.nodes[other]!.layer === here.layer))
  }
  // Siblings: nodes of the same layer sharing a neighbour with this one, or else any node of the layer.
  const siblings = new Set<number>()
  for (const other of joined) {
    for (const edgeIndex of view.incident[other] ?? []) {
      const edge = view.edges[edgeIndex]!
      const sibling = edge.from === other ? edge.to : edge.from
      if (sibling !== at && view.nodes[sibling]!.layer === here.layer) siblings.add(sibling)
    }
  }
  const pool = siblings.size > 0 ? [...siblings] : view.nodes.map((_, index) => index).filter((index) => index !== at && view.nodes[index]!.layer === here.layer)
  const side = pool.filter((other) => (direction === 'down' ? y[other]! > y[at]! : y[other]! < y[at]!))
  return pick(side)
}
