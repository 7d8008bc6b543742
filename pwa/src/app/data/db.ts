/**
 * The only module that opens IndexedDB. Each schema change is a numbered upgrade step that runs
 * once, in order, so a phone that skipped versions still ends up with the current layout.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { Job, LocalStore, QueuedOp, StoredBlob } from './types'

const DB_NAME = 'fieldline-app'

interface AppDB extends DBSchema {
  jobs: { key: string; value: Job }
  outbox: { key: number; value: QueuedOp; indexes: { op_id: string } }
  blobs: { key: string; value: StoredBlob; indexes: { work_order_id: string } }
  meta: { key: string; value: unknown }
}

type Upgrade = (db: IDBPDatabase<AppDB>) => void

const UPGRADES: Upgrade[] = [
  // 1: jobs by id, the outbox in the order actions were taken, photo/signature bytes by hash.
  (db) => {
    db.createObjectStore('jobs', { keyPath: 'id' })
    const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true })
    outbox.createIndex('op_id', 'op_id', { unique: true })
    const blobs = db.createObjectStore('blobs', { keyPath: 'sha256' })
    blobs.createIndex('work_order_id', 'work_order_id')
    db.createObjectStore('meta')
  },
]

export function openAppDB(name = DB_NAME): Promise<IDBPDatabase<AppDB>> {
  return openDB<AppDB>(name, UPGRADES.length, {
    upgrade(db, oldVersion) {
      for (let step = oldVersion; step < UPGRADES.length; step++) UPGRADES[step](db)
    },
  })
}

/** The app's `LocalStore` on IndexedDB. */
export function indexedDbStore(name = DB_NAME): LocalStore {
  const ready = openAppDB(name)
  return {
    async allJobs() {
      return (await ready).getAll('jobs')
    },
    async putJobs(jobs) {
      const tx = (await ready).transaction('jobs', 'readwrite')
      await Promise.all([...jobs.map((job) => tx.store.put(job)), tx.done])
    },
    async deleteJobs(ids) {
      const tx = (await ready).transaction('jobs', 'readwrite')
      await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done])
    },
    async addOp(op) {
      const stored = { ...op }
      delete stored.seq
      const seq = await (await ready).add('outbox', stored)
      return { ...stored, seq }
    },
    async allOps() {
      return (await ready).getAll('outbox')
    },
    async deleteOps(opIds) {
      const tx = (await ready).transaction('outbox', 'readwrite')
      const index = tx.store.index('op_id')
      for (const opId of opIds) {
        const key = await index.getKey(opId)
        if (key !== undefined) await tx.store.delete(key)
      }
      await tx.done
    },
    async putBlob(blob) {
      await (await ready).put('blobs', blob)
    },
    async getBlob(sha256) {
      return (await ready).get('blobs', sha256)
    },
    async deleteBlobsOf(workOrderIds) {
      const tx = (await ready).transaction('blobs', 'readwrite')
      const index = tx.store.index('work_order_id')
      for (const id of workOrderIds) {
        for (const key of await index.getAllKeys(id)) await tx.store.delete(key)
      }
      await tx.done
    },
    async getMeta<T>(key: string) {
      return (await (await ready).get('meta', key)) as T | undefined
    },
    async setMeta(key, value) {
      await (await ready).put('meta', value, key)
    },
    async clear() {
      const db = await ready
      const tx = db.transaction(['jobs', 'outbox', 'blobs', 'meta'], 'readwrite')
      await Promise.all([
        tx.objectStore('jobs').clear(),
        tx.objectStore('outbox').clear(),
        tx.objectStore('blobs').clear(),
        tx.objectStore('meta').clear(),
        tx.done,
      ])
    },
  }
}
