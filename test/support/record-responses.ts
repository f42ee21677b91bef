// Loaded by scripts/run-tests.mjs (`--import`) into every test process: writes each answer of an
// Appwarden API (a fastify app with the OpenAPI document) to the test output, for the secret scan.
import { appendFileSync } from 'node:fs';
import { subscribe } from 'node:diagnostics_channel';
import type { FastifyInstance } from 'fastify';
import { outputFile } from './test-output.js';

const file = outputFile('responses');
if (file) {
  subscribe('fastify.initialization', (message) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onSend', async (request, reply, payload) => {
      // Simulators are fastify apps too; only Appwarden's API has the OpenAPI document.
      if (typeof (request.server as { swagger?: unknown }).swagger !== 'function') return payload;
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
      const headers = JSON.stringify(reply.getHeaders());
      appendFileSync(file, `${request.method} ${request.url} ${reply.statusCode} ${headers} ${body.replace(/\n/g, '\\n')}\n`);
      return payload;
    });
  });
}
