import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppwardenError } from '../core/errors.js';

const CONSOLE_DIR = fileURLToPath(new URL('../console/', import.meta.url));

/**
 * The console's pages: no inline script or style, nothing from another origin, data only from this
 * API (`connect-src 'self'`), no framing, no form posting anywhere (sign-in is handled by the script).
 */
export const CONSOLE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

export interface ConsoleBundle {
  /** The page every console path answers (the script routes in the browser). */
  html: string;
  /** Assets by file name (content-hashed, so they are cached for good). */
  assets: Map<string, { body: Buffer; type: string }>;
}

/** Bundles `console/src/main.ts` and `console/styles.css` with esbuild, in memory. */
export async function buildConsole(): Promise<ConsoleBundle> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [`${CONSOLE_DIR}src/main.ts`, `${CONSOLE_DIR}styles.css`],
    bundle: true, minify: true, format: 'esm', target: ['es2022'], write: false, outdir: '/console-out',
    entryNames: '[name]-[hash]', legalComments: 'none', logLevel: 'silent',
  });
  const assets = new Map<string, { body: Buffer; type: string }>();
  let script = '';
  let style = '';
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    const type = name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    assets.set(name, { body: Buffer.from(file.contents), type });
    if (name.endsWith('.js')) script = name;
    else style = name;
  }
  const template = await readFile(`${CONSOLE_DIR}index.html`, 'utf8');
  const html = template.replace('%SCRIPT%', `/console/assets/${script}`).replace('%STYLE%', `/console/assets/${style}`);
  return { html, assets };
}

/**
 * `/console`: the web console's static files, public (they hold no data: every datum comes from the
 * authenticated API, with the key the user signs in with). Built on the first request and kept.
 */
export function consoleRoutes(app: FastifyInstance, build: () => Promise<ConsoleBundle> = buildConsole): void {
  let bundle: Promise<ConsoleBundle> | null = null;
  const load = () => {
    bundle ??= build().catch((err: unknown) => {
      bundle = null;
      throw err;
    });
    return bundle;
  };
  const page = async (reply: FastifyReply) => {
    const { html } = await load();
    return reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  };
  const options = { config: { role: 'public' as const }, schema: { hide: true } };

  app.get('/console', options, async (_request, reply) => reply.headers(SECURITY_HEADERS).redirect('/console/'));
  app.get('/console/assets/:file', options, async (request, reply) => {
    const { file } = request.params as { file: string };
    const asset = (await load()).assets.get(file);
    if (!asset) throw new AppwardenError('AW_NOT_FOUND', 'no such console asset');
    const etag = `"${createHash('sha256').update(asset.body).digest('base64url').slice(0, 16)}"`;
    return reply.headers(SECURITY_HEADERS).header('cache-control', 'public, max-age=31536000, immutable').header('etag', etag)
      .type(asset.type).send(asset.body);
  });
  app.get('/console/*', options, async (_request, reply) => page(reply));
}
