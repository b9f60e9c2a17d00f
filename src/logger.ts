import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on standard output, as log collectors expect; secrets are redacted by path. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'roster' },
    redact: ['req.headers.authorization', 'headers.authorization', 'token', 'password'],
  });
}
