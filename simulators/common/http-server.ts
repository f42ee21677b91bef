import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../core/logger.js';
import { installFaults, registerFaultPort, type ContinuationContract } from './faults.js';

/** A listening simulator: its base URL (no trailing slash) and how to stop it. */
export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Defaults to loopback only. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

/** Logs each request once, at debug, after it was answered; fastify's per-request info lines are off. */
class DebugRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime) };
    if (error) request.log.warn({ ...line, err: error }, 'request failed');
    else request.log.debug(line, 'request served');
  }
}

/**
 * A fastify app set up the way every simulator needs it: requests logged at debug through `log`,
 * keep-alive connections closed on `close()`, the common faults (`faults.ts`) installed, and JSON bodies that may be empty (provider clients
 * often POST `Content-Type: application/json` with no body). `continuation`: where the provider's
 * continuation tokens live and how it refuses an expired one (the `expired_token` fault); default a
 * query parameter and a generic 400.
 */
export function createHttpApp(log: Logger, options: { continuation?: ContinuationContract } = {}): FastifyInstance {
  const app = fastify({
    // Typed as fastify's base logger so the app keeps fastify's default generics.
    loggerInstance: log as FastifyBaseLogger,
    logController: new DebugRequestLog(),
    forceCloseConnections: true,
    bodyLimit: 10 * 1024 * 1024,
  });
  installFaults(app, options.continuation);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('the request body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
  return app;
}

/** Starts `app` on loopback (port 0 by default) and returns its URL and a `close()`. */
export async function startHttpServer(app: FastifyInstance, options: ListenOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0, listenTextResolver: (address) => `simulator listening at ${address}` });
  const { port } = app.server.address() as AddressInfo;
  registerFaultPort(app, port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () => (closing ??= app.close()),
  };
}

/** The scheme and host a request was addressed to, for absolute links (`Link` headers, `_links`). */
export function requestBaseUrl(request: FastifyRequest): string {
  const host = request.headers.host ?? `${request.hostname}`;
  return `${request.protocol}://${host}`;
}
