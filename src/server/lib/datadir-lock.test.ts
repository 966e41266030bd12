import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from './datadir-lock.js';

describe('data folder lock (who runs the embedded PostgreSQL)', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tells a second locker who holds it, and is free again once released', () => {
    const dir = tmp();
    const lock = lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, 'moxora.lock'), 'utf8')).toBe(String(process.pid));
    // The same pid counts as stale (a restarted container reuses pids): simulate another holder.
    fs.writeFileSync(path.join(dir, 'moxora.lock'), String(process.ppid));
    let error: unknown;
    try {
      lockDataDir(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as DataDirLockedError).pid).toBe(process.ppid);
    fs.writeFileSync(path.join(dir, 'moxora.lock'), String(process.pid));
    lock.release();
    expect(fs.existsSync(path.join(dir, 'moxora.lock'))).toBe(false);
    lockDataDir(dir).release();
  });

  it.skipIf(!fs.existsSync('/proc/self/cmdline'))(
    'takes over a lock whose pid now belongs to a program that is not Moxora',
    async () => {
      const dir = tmp();
      const other = spawn('sleep', ['30'], { stdio: 'ignore' });
      try {
        fs.writeFileSync(path.join(dir, 'moxora.lock'), String(other.pid));
        const lock = lockDataDir(dir);
        expect(fs.readFileSync(path.join(dir, 'moxora.lock'), 'utf8')).toBe(String(process.pid));
        lock.release();
      } finally {
        other.kill('SIGKILL');
      }
    },
  );
});
