import { rmSync } from 'node:fs';
import path from 'node:path';

/** Every run starts from an empty database and outbox. */
export default function globalSetup(): void {
  rmSync(path.resolve('.tmp/e2e-data'), { recursive: true, force: true });
}
