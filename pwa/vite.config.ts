import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import type { Connect } from 'vite'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { VitePWA } from 'vite-plugin-pwa'

const root = import.meta.dirname

/** One HTML entry per app; the landing page is the root index.html. */
export const APPS = ['app', 'board', 'warehouse', 'request', 'track', 'admin', 'reports'] as const

const input: Record<string, string> = { landing: resolve(root, 'index.html') }
for (const app of APPS) input[app] = resolve(root, app, 'index.html')

/**
 * In production Flask serves dist/track/index.html for /track/<code>; do the same in
 * `vite` (dev) and `vite preview` so the tracking page can be tried locally.
 */
const trackRewrite: Connect.NextHandleFunction = (req, _res, next) => {
  if (req.url && /^\/track\/[^/?#.]+\/?(\?.*)?$/.test(req.url)) req.url = '/track/index.html'
  next()
}

/**
 * The API docs page (/api/docs, rendered by the server) loads Swagger UI from our own build, so
 * the docs work on a network without the internet.
 */
const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
const SWAGGER_FILES = ['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-ui.css']

/**
 * The engineer app's shell for its service worker: app/index.html, the files it loads and every
 * chunk those name (dynamic imports included, so the photo compressor works offline too). The
 * other apps' chunks stay out of the phone's cache.
 */
let builtDir = resolve(root, 'dist')
function engineerAppShell(outDir: string): Set<string> {
  const html = readFileSync(resolve(outDir, 'app', 'index.html'), 'utf8')
  const queue = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])
  const seen = new Set<string>()
  while (queue.length) {
    const file = queue.pop() as string
    if (seen.has(file)) continue
    seen.add(file)
    if (!file.endsWith('.js')) continue
    const code = readFileSync(resolve(outDir, file), 'utf8')
    for (const m of code.matchAll(/["'`][^"'`\s]*?([\w.-]+\.(?:js|css))["'`]/g)) {
      if (existsSync(resolve(outDir, 'assets', m[1]))) queue.push(`assets/${m[1]}`)
    }
  }
  return seen
}

export default defineConfig({
  base: '/',
  plugins: [
    vue({ features: { optionsAPI: false } }),
    {
      name: 'fieldline-out-dir',
      configResolved(config) {
        builtDir = resolve(config.root, config.build.outDir)
      },
    },
    // The engineer app's service worker only (/app/sw.js, scope /app/); the manifest is the
    // hand-written public/app/manifest.webmanifest and the page registers the worker itself
    // (src/app/pwa.ts), so nothing is injected into the other apps' pages.
    VitePWA({
      strategies: 'generateSW',
      filename: 'app/sw.js',
      scope: '/app/',
      injectRegister: false,
      manifest: false,
      registerType: 'prompt',
      workbox: {
        globPatterns: ['app/**/*.{html,webmanifest,png,svg}', 'assets/**/*.{js,css}'],
        // Precache URLs are resolved against the worker's own folder (/app/): make them absolute.
        modifyURLPrefix: { '': '/' },
        dontCacheBustURLsMatching: /^\/assets\//,
        manifestTransforms: [
          async (entries) => {
            const shell = engineerAppShell(builtDir)
            const manifest = entries.filter(
              (entry) => !entry.url.startsWith('/assets/') || shell.has(entry.url.slice(1)),
            )
            return { manifest, warnings: [] }
          },
        ],
        navigateFallback: '/app/index.html',
        navigateFallbackAllowlist: [/^\/app\//],
        inlineWorkboxRuntime: true,
        clientsClaim: true,
        cleanupOutdatedCaches: true,
      },
    }),
    {
      name: 'fieldline-swagger-ui',
      apply: 'build',
      generateBundle() {
        for (const file of SWAGGER_FILES) {
          this.emitFile({
            type: 'asset',
            fileName: `swagger-ui/${file}`,
            source: readFileSync(resolve(swaggerDir, file)),
          })
        }
      },
    },
    {
      name: 'fieldline-track-rewrite',
      configureServer(server) {
        server.middlewares.use(trackRewrite)
      },
      configurePreviewServer(server) {
        server.middlewares.use(trackRewrite)
      },
    },
  ],
  define: {
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    // The server reads its apps from FIELDLINE_PWA_DIST too (server/config.py, PWA_DIST).
    outDir: process.env.FIELDLINE_PWA_DIST || 'dist',
    emptyOutDir: true,
    target: 'es2020',
    rolldownOptions: {
      input,
      output: {
        // Vue and vue-i18n, which every app loads, in one long-cached chunk; the rest is split
        // automatically, so a library imported by one app (e.g. Leaflet) stays out of the others.
        codeSplitting: {
          groups: [{ name: 'vue', test: /[\\/]node_modules[\\/](@vue|vue|vue-i18n|@intlify)[\\/]/ }],
        },
      },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
})
