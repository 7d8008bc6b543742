// Prints the first-load size (JS + CSS, gzip) of every page in dist/: the files its HTML
// references plus the chunks they import statically (dynamic imports are not counted).
// Exits 1 when the engineer app (/app/) is over the 300 KB budget of DESIGN §12.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative, dirname } from 'node:path'
import { gzipSync } from 'node:zlib'

const dist = join(import.meta.dirname, '..', 'dist')
const BUDGET_KB = { app: 300 }

function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'assets' ? [] : htmlFiles(path)
    return name.endsWith('.html') ? [path] : []
  })
}

function firstLoad(htmlPath) {
  const html = readFileSync(htmlPath, 'utf8')
  const queue = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])
  const seen = new Set()
  while (queue.length) {
    const file = queue.pop()
    if (seen.has(file)) continue
    seen.add(file)
    if (!file.endsWith('.js')) continue
    const code = readFileSync(join(dist, file), 'utf8')
    for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.\/[^"']+\.(?:js|css))["']/g)) {
      queue.push(join(dirname(file), m[1]).replaceAll('\\', '/'))
    }
  }
  let raw = 0
  let gz = 0
  for (const file of seen) {
    const bytes = readFileSync(join(dist, file))
    raw += bytes.length
    gz += gzipSync(bytes, { level: 9 }).length
  }
  return { files: seen.size, raw, gz }
}

let failed = false
const rows = htmlFiles(dist).sort().map((path) => {
  const page = '/' + relative(dist, path).replaceAll('\\', '/').replace(/index\.html$/, '')
  const size = firstLoad(path)
  const app = page.split('/')[1]
  const budget = BUDGET_KB[app]
  const over = budget !== undefined && size.gz > budget * 1024
  if (over) failed = true
  return { page, files: size.files, 'raw KB': (size.raw / 1024).toFixed(1), 'gzip KB': (size.gz / 1024).toFixed(1), budget: budget ? `${budget} KB${over ? ' OVER' : ''}` : '' }
})
console.table(rows)
process.exit(failed ? 1 : 0)
