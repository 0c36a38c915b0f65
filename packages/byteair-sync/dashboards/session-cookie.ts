import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'byteair_dashboard';

/** The value of one cookie from the Cookie header (no cookie-parser dependency for one value). */
export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * HttpOnly (no script reads it), SameSite=Strict (no other site's page makes the browser send
 * it), Secure whenever the browser reached us over HTTPS (directly or through a proxy that
 * says so; a client lying about it only hurts itself).
 */
export function setSessionCookie(req: Request, res: Response, token: string, maxAgeMs: number): void {
  res.append('Set-Cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}${secureFlag(req)}`);
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.append('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secureFlag(req)}`);
}

function secureFlag(req: Request): string {
  return req.secure || req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
}
