import type { Viewport } from './lineage-search'
import { changedRects, drawRegion, intersects, sceneChanges, type Rect, type Scene } from './scene'

/*
 * The drawn graph cached in tiles: squares of the picture at one zoom, on a grid fixed to the graph (not to the
 * view), each drawn once and copied to the canvas on every frame that shows it. A pan copies a dozen images
 * instead of drawing thousands of nodes and edges (which a software-rastered canvas cannot do 50 times a second);
 * the tiles around the view are drawn ahead in idle time, one short task each, so a pan finds them ready; a state
 * change repaints only the rectangles it touched, inside the tiles that hold them; a resize keeps every tile.
 */

/** A tile's side in CSS pixels. */
export const TILE_SIZE = 512

/** Most device pixels the tiles may hold together (64 MB of pixels); the least recently shown go first. */
const TILE_PIXELS = 16_000_000

export type Tile = { column: number; row: number; canvas: HTMLCanvasElement; shown: number }

export type TileCache = {
  /** What the tiles show: they are dropped when the layout, the zoom or the pixel ratio changes. */
  scene: Scene | null
  scale: number
  dpr: number
  tiles: Map<string, Tile>
  /** Counts frames, for dropping the tiles shown least recently. */
  clock: number
}

export function createTileCache(): TileCache {
  return { scene: null, scale: 0, dpr: 0, tiles: new Map(), clock: 0 }
}

/**
 * The view moved to whole device pixels: the tiles are copied without resampling (no blur, no seams between
 * them), and the highlights drawn over them must use the same position to stay on their nodes.
 */
export function snapViewport(view: Viewport, dpr: number): Viewport {
  const k = view.scale * dpr
  return { x: Math.round(view.x * k) / k, y: Math.round(view.y * k) / k, scale: view.scale }
}

/** The device pixels of the graph at this zoom that a tile covers: the tile's top-left corner and its side. */
function tileOrigin(column: number, row: number, dpr: number): { x: number; y: number; side: number } {
  const side = Math.round(TILE_SIZE * dpr)
  return { x: column * side, y: row * side, side }
}

/** The graph rectangle a tile covers. */
export function tileRect(column: number, row: number, scale: number, dpr: number): Rect {
  const { x, y, side } = tileOrigin(column, row, dpr)
  const k = scale * dpr
  return { left: x / k, top: y / k, right: (x + side) / k, bottom: (y + side) / k }
}

/**
 * The tiles (column, row) that cover a view of `width` × `height` CSS pixels, and `ring` tiles more on every side,
 * nearest the view's centre first (drawn first when time is short).
 */
export function tilesAround(view: Viewport, width: number, height: number, dpr: number, ring = 0): Array<[number, number]> {
  const side = Math.round(TILE_SIZE * dpr)
  const k = view.scale * dpr
  const left = Math.round(view.x * k)
  const top = Math.round(view.y * k)
  const first = Math.floor(left / side) - ring
  const last = Math.floor((left + Math.ceil(width * dpr) - 1) / side) + ring
  const firstRow = Math.floor(top / side) - ring
  const lastRow = Math.floor((top + Math.ceil(height * dpr) - 1) / side) + ring
  const centreX = (left + (width * dpr) / 2) / side - 0.5
  const centreY = (top + (height * dpr) / 2) / side - 0.5
  const out: Array<[number, number]> = []
  for (let row = firstRow; row <= lastRow; row++) for (let column = first; column <= last; column++) out.push([column, row])
  return out.sort((a, b) => Math.hypot(a[0] - centreX, a[1] - centreY) - Math.hypot(b[0] - centreX, b[1] - centreY))
}

const keyOf = (column: number, row: number) => `${column},${row}`

/**
 * Makes the tiles show `scene` at this zoom and pixel ratio. Another layout, zoom or ratio drops them all; a scene
 * of the same layout (a refresh that changed states) has each changed node's box and edge's route drawn again
 * inside the tiles that hold them, clipped to whole device pixels of the tile so nothing around them moves.
 * Returns the number of rectangles repainted.
 */
export function syncTiles(cache: TileCache, scene: Scene, scale: number, dpr: number): number {
  if (cache.scene === scene && cache.scale === scale && cache.dpr === dpr) return 0
  const changes = cache.scene && cache.scale === scale && cache.dpr === dpr ? sceneChanges(cache.scene, scene) : null
  cache.scene = scene
  cache.scale = scale
  cache.dpr = dpr
  if (!changes) {
    cache.tiles.clear()
    return 0
  }
  const rects = changedRects(scene, changes, scale)
  let repainted = 0
  if (rects.length === 0) return 0
  const k = scale * dpr
  for (const tile of cache.tiles.values()) {
    const area = tileRect(tile.column, tile.row, scale, dpr)
    const ctx = tile.canvas.getContext('2d')
    if (!ctx) continue
    const { x, y, side } = tileOrigin(tile.column, tile.row, dpr)
    for (const rect of rects) {
      if (!intersects(rect, area)) continue
      // Outward to whole device pixels of the tile, and no further than the tile.
      const left = Math.max(0, Math.floor(rect.left * k - x))
      const top = Math.max(0, Math.floor(rect.top * k - y))
      const right = Math.min(side, Math.ceil(rect.right * k - x))
      const bottom = Math.min(side, Math.ceil(rect.bottom * k - y))
      if (right <= left || bottom <= top) continue
      drawRegion(ctx, scene, scale, dpr, x, y, { left: (x + left) / k, top: (y + top) / k, right: (x + right) / k, bottom: (y + bottom) / k }, true)
      repainted++
    }
  }
  return repainted
}

/** Draws one tile of the cached scene, reusing the canvas of an evicted tile when there is one. */
function drawTile(cache: TileCache, column: number, row: number, spare: HTMLCanvasElement | undefined): Tile | null {
  const scene = cache.scene
  if (!scene) return null
  const { x, y, side } = tileOrigin(column, row, cache.dpr)
  const canvas = spare ?? document.createElement('canvas')
  if (canvas.width !== side) canvas.width = side
  if (canvas.height !== side) canvas.height = side
  const ctx = canvas.getContext('2d')
  if (!ctx) return null
  drawRegion(ctx, scene, cache.scale, cache.dpr, x, y, tileRect(column, row, cache.scale, cache.dpr), false)
  const tile = { column, row, canvas, shown: cache.clock }
  cache.tiles.set(keyOf(column, row), tile)
  return tile
}

/** Frees room for one more tile, dropping the tile shown least recently (never one of this frame's); its canvas is reused. */
function evict(cache: TileCache): HTMLCanvasElement | undefined {
  const side = Math.round(TILE_SIZE * cache.dpr)
  if ((cache.tiles.size + 1) * side * side <= TILE_PIXELS) return undefined
  let oldest: Tile | null = null
  for (const tile of cache.tiles.values()) if (tile.shown < cache.clock && (!oldest || tile.shown < oldest.shown)) oldest = tile
  if (!oldest) return undefined
  cache.tiles.delete(keyOf(oldest.column, oldest.row))
  return oldest.canvas
}

/**
 * Paints the view from the tiles (the canvas's transform left at identity), drawing the tiles it lacks first, if
 * they are no more than `missing`. Returns false, having painted nothing, when more are missing: drawing the view
 * directly is then cheaper.
 */
export function composeTiles(ctx: CanvasRenderingContext2D, cache: TileCache, view: Viewport, width: number, height: number, missing: number): boolean {
  const dpr = cache.dpr
  const needed = tilesAround(view, width, height, dpr)
  if (!cache.scene || needed.filter(([column, row]) => !cache.tiles.has(keyOf(column, row))).length > missing) return false
  cache.clock++
  const k = view.scale * dpr
  const left = Math.round(view.x * k)
  const top = Math.round(view.y * k)
  ctx.setTransform(1, 0, 0, 1, 0, 0)
  for (const [column, row] of needed) {
    const tile = cache.tiles.get(keyOf(column, row)) ?? drawTile(cache, column, row, evict(cache))
    if (!tile) return false
    tile.shown = cache.clock
    const origin = tileOrigin(column, row, dpr)
    ctx.drawImage(tile.canvas, origin.x - left, origin.y - top)
  }
  return true
}

/**
 * Draws missing tiles of the view and the ring around it, nearest first, while `more()` allows (at least one per
 * call). For idle time: each tile is a short task of its own. Returns whether any are still missing.
 */
export function fillTiles(cache: TileCache, view: Viewport, width: number, height: number, more: () => boolean): boolean {
  if (!cache.scene || cache.scale !== view.scale) return false
  let first = true
  for (const [column, row] of tilesAround(view, width, height, cache.dpr, 1)) {
    if (cache.tiles.has(keyOf(column, row))) continue
    if (!first && !more()) return true
    first = false
    const spare = evict(cache)
    // No room without dropping a tile on screen: the ring waits for the next pan.
    const side = Math.round(TILE_SIZE * cache.dpr)
    if (!spare && (cache.tiles.size + 1) * side * side > TILE_PIXELS) return false
    drawTile(cache, column, row, spare)
  }
  return false
}
