import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { testLog } from '../../test/support/stack.js';
import type { Notification } from './notifier.js';
import { sendMail } from './smtp-client.js';
import { SmtpNotifier } from './smtp-notifier.js';
import { WebhookNotifier } from './webhook-notifier.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface ReceivedMail {
  commands: string[];
  data: string;
}

/**
 * A tiny SMTP listener standing in for a mail relay: it answers each step (or the answer given in
 * `answers`, by verb) and records the commands and the message it receives.
 */
async function smtpListener(answers: Record<string, string> = {}, options: { noEhlo?: boolean } = {}): Promise<{ port: number; mails: ReceivedMail[] }> {
  const mails: ReceivedMail[] = [];
  const server: Server = createServer((socket) => {
    socket.setEncoding('utf8');
    const mail: ReceivedMail = { commands: [], data: '' };
    let inData = false;
    let buffer = '';
    socket.write('220 relay.test ESMTP ready\r\n');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end === -1) return;
          mail.data = buffer.slice(0, end + 2);
          buffer = buffer.slice(end + 5);
          inData = false;
          mails.push(mail);
          socket.write(answers.BODY ?? '250 2.0.0 Ok: queued as 4242\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol === -1) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        mail.commands.push(line);
        const verb = line.split(/[ :]/)[0]!.toUpperCase();
        if (answers[verb]) socket.write(answers[verb]!);
        else if (verb === 'EHLO') socket.write(options.noEhlo ? '502 5.5.1 EHLO not supported\r\n' : '250-relay.test\r\n250-8BITMIME\r\n250 SIZE 10240000\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
        } else if (verb === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
        else socket.write('250 2.1.0 Ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as AddressInfo).port, mails };
}

const NOTIFICATION: Notification = {
  command_id: '0123456789abcdef0123456789abcdef',
  to: ['zoe@example.com'],
  subject: 'Your account was suspended',
  text: 'Hello Zoë,\n.a line that starts with a dot\nCall the SOC.',
  provider: 'okta',
  instance: 'main',
  target: { type: 'user', id: '00u1', name: 'zoe@example.com' },
  policy_id: 'impossible-travel',
  alert_id: 'al-1',
  params: {},
};
const signal = new AbortController().signal;

function decodeBody(data: string): { headers: Record<string, string>; body: string } {
  const [head, ...rest] = data.split('\r\n\r\n');
  const headers = Object.fromEntries(head!.split('\r\n').map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const raw = rest.join('\r\n\r\n');
  const body = headers['content-transfer-encoding'] === 'base64' ? Buffer.from(raw.replace(/\s/g, ''), 'base64').toString('utf8') : raw;
  return { headers, body };
}

describe('SMTP notifier', () => {
  test('sends EHLO, MAIL FROM, RCPT TO, DATA, QUIT and a message the relay can read', async () => {
    const relay = await smtpListener();
    const notifier = new SmtpNotifier({ host: '127.0.0.1', port: relay.port, heloName: 'appwarden.test', timeoutMs: 5000, from: 'appwarden@example.com' });
    const answer = await notifier.send({ ...NOTIFICATION, to: ['zoe@example.com', 'soc@example.com'] }, signal);
    assert.match(answer, /emailed zoe@example\.com, soc@example\.com \(250 2\.0\.0 Ok: queued as 4242\)/);
    assert.equal(relay.mails.length, 1);
    const [mail] = relay.mails;
    assert.deepEqual(mail!.commands, [
      'EHLO appwarden.test', 'MAIL FROM:<appwarden@example.com>', 'RCPT TO:<zoe@example.com>', 'RCPT TO:<soc@example.com>', 'DATA', 'QUIT',
    ]);
    const { headers, body } = decodeBody(mail!.data);
    assert.equal(headers.from, 'appwarden@example.com');
    assert.equal(headers.to, 'zoe@example.com, soc@example.com');
    assert.equal(headers.subject, 'Your account was suspended');
    assert.equal(headers['message-id'], `<${NOTIFICATION.command_id}@appwarden>`);
    // Not ASCII, so base64; the line with a leading dot survives.
    assert.equal(body, NOTIFICATION.text);
  });

  test('a plain ASCII message is sent as 7bit, with a leading dot doubled on the wire', async () => {
    const relay = await smtpListener({}, { noEhlo: true });
    await sendMail({ host: '127.0.0.1', port: relay.port, heloName: 'h', timeoutMs: 5000 }, {
      from: 'a@example.com', to: ['b@example.com'], data: 'Subject: x\n\n.hidden?\nline\n',
    });
    const [mail] = relay.mails;
    assert.deepEqual(mail!.commands.slice(0, 2), ['EHLO h', 'HELO h'], 'HELO after a refused EHLO');
    assert.equal(mail!.data, 'Subject: x\r\n\r\n..hidden?\r\nline\r\n');
  });

  test('a refusal names the step; 4xx is retriable, 5xx is not; a closed port fails retriable', async () => {
    const busy = await smtpListener({ RCPT: '451 4.7.1 Try again later\r\n' });
    const refusing = await smtpListener({ MAIL: '550 5.7.1 Relaying denied\r\n' });
    const send = (port: number) => sendMail({ host: '127.0.0.1', port, heloName: 'h', timeoutMs: 5000 }, { from: 'a@example.com', to: ['b@example.com'], data: 'x' });
    await assert.rejects(send(busy.port), (err) => isAppwardenError(err, 'AW_NOTIFY_FAILED') && err.retriable
      && /answered "451 4\.7\.1 Try again later" to RCPT TO b@example\.com/.test(err.message));
    await assert.rejects(send(refusing.port), (err) => isAppwardenError(err, 'AW_NOTIFY_FAILED') && !err.retriable && /550 5\.7\.1 Relaying denied/.test(err.message));
    const closed = await smtpListener();
    const port = closed.port;
    await cleanups.pop()!();
    await assert.rejects(send(port), (err) => isAppwardenError(err, 'AW_NOTIFY_FAILED') && err.retriable && /cannot connect/.test(err.message));
  });

  test('a server that does not answer times out', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => { silent.close(resolve); }));
    const port = (silent.address() as AddressInfo).port;
    await assert.rejects(sendMail({ host: '127.0.0.1', port, heloName: 'h', timeoutMs: 200 }, { from: 'a@example.com', to: ['b@example.com'], data: 'x' }),
      (err) => isAppwardenError(err, 'AW_NOTIFY_FAILED') && /did not answer within 200 ms/.test(err.message));
  });

  test('addresses that could inject commands are refused before connecting', async () => {
    await assert.rejects(sendMail({ host: '127.0.0.1', port: 1, heloName: 'h', timeoutMs: 200 }, { from: 'a@example.com', to: ['b@example.com>\r\nRCPT TO:<c@example.com'], data: 'x' }),
      (err) => isAppwardenError(err, 'AW_BAD_REQUEST'));
  });
});

describe('webhook notifier', () => {
  async function hook(statuses: number[]): Promise<{ url: string; calls: Array<{ headers: IncomingHttpHeaders; body: Record<string, unknown> }> }> {
    const calls: Array<{ headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];
    const server = createHttpServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => { text += c.toString(); });
      req.on('end', () => {
        calls.push({ headers: req.headers, body: JSON.parse(text) as Record<string, unknown> });
        res.statusCode = statuses.shift() ?? 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/appwarden`, calls };
  }

  test('POSTs the notification as JSON with the token and the command id as idempotency key', async () => {
    const { url, calls } = await hook([204]);
    const notifier = new WebhookNotifier({ url, token: 'hook-secret-123', timeoutMs: 5000 }, testLog);
    assert.equal(await notifier.send(NOTIFICATION, signal), 'posted to the webhook (HTTP 204)');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.headers.authorization, 'Bearer hook-secret-123');
    assert.equal(calls[0]!.headers['idempotency-key'], NOTIFICATION.command_id);
    assert.equal(calls[0]!.headers['content-type'], 'application/json');
    assert.deepEqual(calls[0]!.body, { type: 'appwarden.notification', ...NOTIFICATION });
  });

  test('a 5xx fails retriable, a 4xx fails for good, both as AW_NOTIFY_FAILED', async () => {
    const { url } = await hook([503, 400]);
    const notifier = new WebhookNotifier({ url, timeoutMs: 5000 }, testLog);
    await assert.rejects(notifier.send(NOTIFICATION, signal), (err) => isAppwardenError(err, 'AW_NOTIFY_FAILED') && err.retriable);
    await assert.rejects(notifier.send(NOTIFICATION, signal), (err) => isAppwardenError(err, 'AW_NOTIFY_FAILED') && !err.retriable && /answered 400/.test(err.message));
  });
});
