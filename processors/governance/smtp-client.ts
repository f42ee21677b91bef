/**
 * A small SMTP client (RFC 5321) for a plain relay: EHLO (HELO if refused), MAIL FROM, RCPT TO,
 * DATA, QUIT. No STARTTLS and no AUTH: it is meant for a relay on a trusted network.
 */
import { connect, type Socket } from 'node:net';
import { AppwardenError } from '../../core/errors.js';

export interface SmtpConnectionSettings {
  host: string;
  port: number;
  /** The name this client gives in EHLO. */
  heloName: string;
  /** Longest wait for the server's answer to any one step. */
  timeoutMs: number;
}

export interface SmtpEnvelope {
  from: string;
  to: readonly string[];
  /** The whole message (headers, blank line, body), lines separated by LF or CRLF. */
  data: string;
}

interface Reply {
  code: number;
  lines: string[];
}

/** Longest reply we accept, so a server that never ends a line cannot grow our buffer forever. */
const MAX_REPLY_CHARS = 64 * 1024;

/** Sends one message; resolves with the server's answer to the message (e.g. `250 2.0.0 queued as 12345`). */
export async function sendMail(settings: SmtpConnectionSettings, envelope: SmtpEnvelope, signal?: AbortSignal): Promise<string> {
  if (envelope.to.length === 0) throw new AppwardenError('AW_BAD_REQUEST', 'an email needs at least one recipient', { details: { field: 'to' } });
  for (const address of [envelope.from, ...envelope.to]) {
    if (/[\r\n<>]/.test(address)) throw new AppwardenError('AW_BAD_REQUEST', `not an email address: ${JSON.stringify(address)}`, { details: { field: 'to' } });
  }
  const session = await SmtpSession.open(settings, signal);
  try {
    session.expect('greeting', await session.read(), [220]);
    const ehlo = await session.command(`EHLO ${settings.heloName}`);
    if (ehlo.code >= 500) session.expect('HELO', await session.command(`HELO ${settings.heloName}`), [250]);
    else session.expect('EHLO', ehlo, [250]);
    session.expect('MAIL FROM', await session.command(`MAIL FROM:<${envelope.from}>`), [250]);
    for (const to of envelope.to) session.expect(`RCPT TO ${to}`, await session.command(`RCPT TO:<${to}>`), [250, 251]);
    session.expect('DATA', await session.command('DATA'), [354]);
    const accepted = session.expect('the message', await session.command(dotStuff(envelope.data)), [250]);
    // The message is accepted; a server that hangs up on QUIT has not lost it.
    await session.command('QUIT').catch(() => undefined);
    return `${accepted.code} ${accepted.lines.join(' ')}`.trim();
  } finally {
    session.close();
  }
}

/** CRLF line ends, a leading dot doubled (RFC 5321 §4.5.2), and the end-of-data line. */
function dotStuff(data: string): string {
  const lines = data.replace(/\r\n/g, '\n').replace(/\r/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return `${lines.map((line) => (line.startsWith('.') ? `.${line}` : line)).join('\r\n')}\r\n.`;
}

class SmtpSession {
  private buffer = '';
  private readonly replies: Reply[] = [];
  private pending: Array<{ resolve: (reply: Reply) => void; reject: (err: Error) => void }> = [];
  private failure: Error | null = null;
  private partial: string[] = [];

  private constructor(private readonly socket: Socket, private readonly settings: SmtpConnectionSettings) {
    socket.setEncoding('utf8');
    socket.setTimeout(settings.timeoutMs, () => this.fail(new AppwardenError('AW_NOTIFY_FAILED', `the SMTP server ${this.where()} did not answer within ${settings.timeoutMs} ms`)));
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (err) => this.fail(new AppwardenError('AW_NOTIFY_FAILED', `SMTP connection to ${this.where()} failed: ${err.message}`, { cause: err })));
    socket.on('close', () => this.fail(new AppwardenError('AW_NOTIFY_FAILED', `the SMTP server ${this.where()} closed the connection`)));
  }

  static open(settings: SmtpConnectionSettings, signal?: AbortSignal): Promise<SmtpSession> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const socket = connect({ host: settings.host, port: settings.port });
      const session = new SmtpSession(socket, settings);
      const onAbort = () => session.fail(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('close', () => signal?.removeEventListener('abort', onAbort));
      socket.once('connect', () => resolve(session));
      socket.once('error', (err) => reject(new AppwardenError('AW_NOTIFY_FAILED', `cannot connect to the SMTP server ${settings.host}:${settings.port}: ${err.message}`, { cause: err })));
    });
  }

  read(): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  command(line: string): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    this.socket.write(`${line}\r\n`);
    return this.read();
  }

  /** The reply if its code is one of `accepted`; else a failure naming the step, retriable for 4xx. */
  expect(step: string, reply: Reply, accepted: readonly number[]): Reply {
    if (accepted.includes(reply.code)) return reply;
    const text = `${reply.code} ${reply.lines.join(' ')}`.trim();
    throw new AppwardenError('AW_NOTIFY_FAILED', `the SMTP server ${this.where()} answered "${text}" to ${step}`, {
      retriable: reply.code >= 400 && reply.code < 500,
      details: { smtpCode: reply.code, step },
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private where(): string {
    return `${this.settings.host}:${this.settings.port}`;
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n'); end !== -1; end = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, end).replace(/\r$/, '');
      this.buffer = this.buffer.slice(end + 1);
      // "250-text" continues a reply, "250 text" (or a bare "250") ends it.
      const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!m) {
        this.fail(new AppwardenError('AW_NOTIFY_FAILED', `the SMTP server ${this.where()} sent a line that is not a reply: ${JSON.stringify(line.slice(0, 100))}`));
        return;
      }
      this.partial.push(m[3]!);
      if (m[2] !== '-') {
        this.deliver({ code: Number(m[1]), lines: this.partial });
        this.partial = [];
      }
    }
    if (this.buffer.length > MAX_REPLY_CHARS) this.fail(new AppwardenError('AW_NOTIFY_FAILED', `the SMTP server ${this.where()} sent a reply too long to be one`));
  }

  private deliver(reply: Reply): void {
    const waiter = this.pending.shift();
    if (waiter) waiter.resolve(reply);
    else this.replies.push(reply);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const waiter of this.pending) waiter.reject(err);
    this.pending = [];
    this.socket.destroy();
  }
}
