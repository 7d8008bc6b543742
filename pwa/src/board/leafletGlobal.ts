/**
 * Leaflet as the global `L`: leaflet.markercluster is a UMD plugin that extends `window.L`, so
 * Leaflet must be there before the plugin module runs (import this module first).
 */
import L from 'leaflet'

;(window as unknown as { L: typeof L }).L = L

export default L
