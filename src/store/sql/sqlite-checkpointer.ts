import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies the WAL back into the database file on a worker thread with its own connection, so the
 * commits of the request thread never pay for checkpoints (automatic checkpoints are turned off
 * on the writer). PASSIVE checkpoints never block readers or the writer; what a busy moment leaves
 * behind is picked up on the next tick.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = ' + workerData.synchronous);
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, synchronous: string, intervalMs = 200): Checkpointer {
  const require = createRequire(import.meta.url);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver: require.resolve('better-sqlite3'), file, synchronous, intervalMs },
  });
  // It must never keep the process alive, nor take it down: a failed checkpoint is retried.
  worker.unref();
  worker.on('error', () => undefined);
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          void worker.terminate().then(() => {
            resolve();
          });
        };
        worker.once('message', done);
        worker.once('exit', () => {
          resolve();
        });
        worker.postMessage('stop');
        setTimeout(done, 1000).unref();
      }),
  };
}
