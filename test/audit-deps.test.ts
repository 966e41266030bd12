import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * scripts/audit-deps.mjs (`npm run audit:deps`, run by .ci/run) on npm audit reports read from
 * files: it fails on high and critical advisories, passes on lesser ones, and says clearly that it
 * could not run when the registry refuses the advisories request, instead of passing.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-audit-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function audit(report: unknown) {
  const file = path.join(dir, `r${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, typeof report === 'string' ? report : JSON.stringify(report));
  const run = spawnSync(process.execPath, ['scripts/audit-deps.mjs'], {
    encoding: 'utf8',
    env: { ...process.env, MOXORA_AUDIT_REPORT: file },
  });
  return { code: run.status, out: run.stdout + run.stderr };
}

const meta = (v: Partial<Record<'info' | 'low' | 'moderate' | 'high' | 'critical', number>>) => ({
  vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0, ...v },
  dependencies: { prod: 321, dev: 0, optional: 0, peer: 0, peerOptional: 0, total: 321 },
});
const vuln = (name: string, severity: string, fixAvailable: unknown = true) => ({
  name,
  severity,
  isDirect: true,
  via: [{ source: 1, name, title: `${name} is broken`, url: `https://advisories.test/${name}`, severity }],
  effects: [],
  range: '<9.9.9',
  nodes: [`node_modules/${name}`],
  fixAvailable,
});

describe('npm run audit:deps', () => {
  it('fails on a high or critical advisory, naming the package, the advisory and the fix', () => {
    const r = audit({
      auditReportVersion: 2,
      vulnerabilities: {
        alpha: vuln('alpha', 'high'),
        beta: vuln('beta', 'critical', { name: 'beta', version: '3.0.0', isSemVerMajor: true }),
        gamma: vuln('gamma', 'moderate'),
      },
      metadata: meta({ high: 1, critical: 1, moderate: 1 }),
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/DEPENDENCY AUDIT FAILED: 2 production dependencies/);
    expect(r.out).toMatch(/alpha <9\.9\.9 \[high\] fix: npm audit fix/);
    expect(r.out).toMatch(/beta <9\.9\.9 \[critical\] fix: beta@3\.0\.0 \(major\)/);
    expect(r.out).toMatch(/alpha is broken https:\/\/advisories\.test\/alpha/);
    expect(r.out).not.toMatch(/gamma/);
  });

  it('passes with moderate and low advisories only, saying so', () => {
    const r = audit({
      auditReportVersion: 2,
      vulnerabilities: { gamma: vuln('gamma', 'moderate'), delta: vuln('delta', 'low') },
      metadata: meta({ moderate: 1, low: 1 }),
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no high or critical advisory in 321 production dependencies \(moderate 1, low 1/);
  });

  it('says it could not run (exit 2), never passes, when the registry refuses the advisories request', () => {
    // What npm 11 prints here: the registry serves packages but answers the audit POST with 405.
    const r = audit({
      message: '405 Method Not Allowed - POST https://registry.test/-/npm/v1/security/advisories/bulk',
      method: 'POST',
      uri: 'https://registry.test/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
      body: '',
      error: { summary: '', detail: '' },
    });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/DEPENDENCY AUDIT COULD NOT RUN: .*answered 405 .*Method Not Allowed/);
    expect(r.out).toMatch(/No advisory was checked/);
  });

  it('fails on an answer it cannot read', () => {
    const r = audit('npm ERR! something else');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/did not answer JSON/);
  });
});
