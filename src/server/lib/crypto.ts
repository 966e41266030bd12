import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config.js';

/**
 * Secrets the product stores (SMTP passwords, provider webhook secrets) are encrypted with
 * AES-256-GCM under a key from the environment (`ENCRYPTION_KEY`: 32 bytes as 64 hex characters
 * or base64). Without it, a key is generated once into `<data>/encryption.key` (mode 0600): never
 * in the database, so a database dump alone reveals no secret. Ciphertexts name their key id
 * (`v1.<kid>.<iv>.<tag>.<data>`), so keys can be rotated.
 */
export interface Keyring {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  /** Id of the key that encrypts (the first one). */
  currentKeyId: string;
  /** The key id a sealed value names, or null when it is not a sealed value. */
  keyIdOf(sealed: string): string | null;
  /** HMAC-SHA256 under a key derived for `purpose` (tracking tokens, unsubscribe links …). */
  mac(purpose: string, data: string): Buffer;
  /**
   * The MAC under every key of the ring, current first: verifying against all of them keeps links
   * in mail sent before a key rotation working while the old key stays in ENCRYPTION_KEYS_OLD.
   */
  macs(purpose: string, data: string): Buffer[];
}

function parseKey(raw: string, name = 'ENCRYPTION_KEY'): Buffer {
  const trimmed = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32)
    throw new ConfigError(`Invalid configuration: ${name} must be 32 bytes (64 hex characters or base64)`);
  return key;
}

const keyId = (key: Buffer) => createHash('sha256').update(key).digest('base64url').slice(0, 8);

export function loadEncryptionKey(opts: { envKey?: string; dataDir: string }): Buffer {
  if (opts.envKey) return parseKey(opts.envKey);
  const file = path.join(opts.dataDir, 'encryption.key');
  try {
    return parseKey(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    fs.writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return parseKey(fs.readFileSync(file, 'utf8'));
    throw err;
  }
}

/**
 * The installation's keyring: ENCRYPTION_KEY (or `<data>/encryption.key`) encrypts; the keys of
 * ENCRYPTION_KEYS_OLD only decrypt, while `moxora rotate-keys` re-encrypts what they sealed.
 */
export function loadKeyring(config: {
  encryptionKey?: string | undefined;
  encryptionKeysOld?: string[] | undefined;
  dataDir: string;
}): Keyring {
  const current = loadEncryptionKey({ envKey: config.encryptionKey, dataDir: config.dataDir });
  const old = (config.encryptionKeysOld ?? [])
    .map((k) => parseKey(k, 'ENCRYPTION_KEYS_OLD'))
    .filter((k) => !k.equals(current));
  return createKeyring([current, ...old]);
}

/** `keys[0]` encrypts; every key decrypts (older keys stay listed during a rotation). */
export function createKeyring(keys: Buffer[]): Keyring {
  if (keys.length === 0) throw new Error('createKeyring needs a key');
  const byId = new Map(keys.map((k) => [keyId(k), k]));
  const current = keys[0]!;
  const currentId = keyId(current);
  const macKeys = new Map<string, Buffer>();
  const macUnder = (key: Buffer, id: string, purpose: string, data: string) => {
    let k = macKeys.get(`${id}:${purpose}`);
    if (!k) {
      k = createHmac('sha256', key).update(`moxora:${purpose}`).digest();
      macKeys.set(`${id}:${purpose}`, k);
    }
    return createHmac('sha256', k).update(data).digest();
  };
  return {
    currentKeyId: currentId,
    keyIdOf(sealed) {
      const [v, kid] = sealed.split('.');
      return v === 'v1' && kid ? kid : null;
    },
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        'v1',
        currentId,
        iv.toString('base64url'),
        tag.toString('base64url'),
        data.toString('base64url'),
      ].join('.');
    },
    decrypt(sealed) {
      const [v, kid, iv, tag, data] = sealed.split('.');
      if (v !== 'v1' || !kid || !iv || !tag || data === undefined) throw new Error('Not an encrypted value');
      const key = byId.get(kid);
      if (!key)
        throw new Error(
          `Encrypted under an unknown key (${kid}): is ENCRYPTION_KEY the one it was written with?`,
        );
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
    mac(purpose, data) {
      return macUnder(current, currentId, purpose, data);
    },
    macs(purpose, data) {
      return keys.map((k) => macUnder(k, keyId(k), purpose, data));
    },
  };
}

/** Constant-time comparison of two byte strings of any length. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
