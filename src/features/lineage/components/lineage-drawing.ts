/**
 * The graph's drawing, which the Lineage page loads lazily as it opens (in parallel with the answer): the layout's
 * client (the layout itself runs in its Web Worker, src/features/lineage/lib/layout-worker.ts), the scene and the
 * canvas with its tiles. Together they are the screen's drawing code, in place of a graph library, and
 * scripts/bundle-budget.ts counts them as such (DRAWING_MODULES): the screen without them must meet the 110 kB
 * budget, and with them the 240 kB one.
 */
export { LineageCanvas } from './lineage-canvas'
export { prepareLayout, runLayout } from '../lib/layout-client'
export { buildScene, layoutInput } from '../lib/scene'

/** The SVG writer, loaded on Export SVG only; from here, so that it shares this chunk's scene code instead of splitting it off. */
export const loadSvgExport = () => import('../lib/export-svg')
