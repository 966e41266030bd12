import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../lib/config.js';
import { AppError } from '../lib/errors.js';

/** Security headers for every response. */
export async function registerSecurityHeaders(app: FastifyInstance, config: Config) {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        ...(config.baseUrl.startsWith('https://') ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: config.baseUrl.startsWith('https://')
      ? { maxAge: 31536000, includeSubDomains: true }
      : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for cookie-authenticated writes: the request must say it comes from our own
 * origin (Origin, else Referer). API-key requests carry no cookie and are not affected.
 */
export function assertSameOrigin(request: FastifyRequest, config: Config) {
  if (SAFE_METHODS.has(request.method)) return;
  if (!request.headers.cookie) return;
  const origin = request.headers.origin ?? refererOrigin(request.headers.referer);
  if (origin && config.trustedOrigins.includes(origin)) return;
  const expected = config.trustedOrigins.join(' or ');
  throw new AppError(
    'ORIGIN_MISMATCH',
    origin
      ? `Requests from ${origin} are not allowed: this server expects the origin ${expected} (BASE_URL)`
      : `Missing Origin header on a cookie-authenticated request (expected ${expected})`,
  );
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}
