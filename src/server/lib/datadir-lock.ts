import fs from 'node:fs';
import path from 'node:path';

/**
 * Ownership of the embedded database folder: the process that holds it runs the embedded
 * PostgreSQL server (lib/embedded-postgres.ts); other processes connect to that server instead of
 * starting a second one on the same files. The first process writes its pid into
 * `<dir>/moxora.lock` with O_EXCL; a later process reads the pid and sees who owns the folder
 * while that process lives. A lock left by a dead process is taken over.
 */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    message: string,
    /** The owner's pid (0 when unknown). */
    readonly pid = 0,
  ) {
    super(message);
  }
}

export interface DataDirLock {
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A pid reused by another program since (a container restart numbers processes again) is not
  // a Moxora process: Moxora always runs in node. Without procfs (macOS), trust the pid.
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true;
  }
}

export function lockDataDir(dir: string): DataDirLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'moxora.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return { release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
      if (Number.isFinite(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new DataDirLockedError(
          `The data folder ${dir} is in use by another Moxora process (pid ${pid}).`,
          pid,
        );
      }
      // Stale lock (the process is gone, or the file is unreadable): remove and retry.
      fs.rmSync(file, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not lock the data folder ${dir}`);
}
