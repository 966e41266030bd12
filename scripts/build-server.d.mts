// Types for scripts/build-server.mjs (imported by the test helpers).
export const ROOT: string;
export const DEFAULT_OUT_DIR: string;
export function buildServer(outDir?: string): Promise<void>;
export function staleReason(outDir?: string): string | null;
export function ensureServerBuild(outDir?: string, log?: (line: string) => void): Promise<boolean>;
