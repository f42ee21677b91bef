/**
 * Stage 2 of `npm run bench`: publishing the bench's encoded Okta events, idempotent with acks=all,
 * kafkajs and librdkafka (`@confluentinc/kafka-javascript`) side by side, then all events with each
 * client's best setting and with what the product uses by default.
 */
import { createRequire } from 'node:module';
import type * as RdKafka from '@confluentinc/kafka-javascript';
import { createKafkaBus, type KafkaBus, type KafkaBusOptions, type KafkaMessage } from '../core/kafka.js';
import { formatProfile, profiled } from './cpu-profile.js';
import { formatMachineCpu, machineCpu } from './machine-cpu.js';
import { formatThreadCpu, threadCpu, type ThreadCpu } from './thread-cpu.js';
import { rate, type Out } from './stages.js';

type Setting = { label: string } & Pick<KafkaBusOptions, 'producerClient' | 'maxRequestBytes' | 'compression' | 'lingerMs'>;

const SETTINGS: Setting[] = [
  { label: 'kafkajs 512 KiB none', producerClient: 'kafkajs', maxRequestBytes: 512 * 1024, compression: 'none' },
  { label: 'kafkajs 1 MiB none', producerClient: 'kafkajs', maxRequestBytes: 1024 * 1024, compression: 'none' },
  { label: 'kafkajs 1 MiB gzip', producerClient: 'kafkajs', maxRequestBytes: 1024 * 1024, compression: 'gzip' },
  { label: 'librdkafka linger 1 ms none', producerClient: 'rdkafka', lingerMs: 1, compression: 'none' },
  { label: 'librdkafka linger 5 ms none', producerClient: 'rdkafka', lingerMs: 5, compression: 'none' },
  { label: 'librdkafka linger 20 ms none', producerClient: 'rdkafka', lingerMs: 20, compression: 'none' },
  { label: 'librdkafka linger 5 ms lz4', producerClient: 'rdkafka', lingerMs: 5, compression: 'lz4' },
  { label: 'librdkafka linger 5 ms zstd', producerClient: 'rdkafka', lingerMs: 5, compression: 'zstd' },
];

interface Measured { ms: number; cpu: ThreadCpu; machineMs: number | null }

/** Sends in slices of 10,000, as a connector's pages would; CPU counted before the producer's threads end. */
async function timed(bus: KafkaBus, messages: KafkaMessage[]): Promise<Measured> {
  const cpu = threadCpu();
  const machine = machineCpu();
  const t = performance.now();
  for (let i = 0; i < messages.length; i += 10_000) await bus.send(bus.topics.audit, messages.slice(i, i + 10_000));
  return { ms: performance.now() - t, cpu: cpu(), machineMs: machine() };
}

const figures = (n: number, m: Measured) => `${rate(n, m.ms)} (${rate(n, m.cpu.totalMs)} per CPU s${m.machineMs ? `, ${rate(n, m.machineMs)} per machine CPU s` : ''})`;

export async function produceStage(messages: KafkaMessage[], base: KafkaBusOptions, out: Out): Promise<KafkaBusOptions> {
  const sample = messages.slice(0, Math.min(messages.length, 40_000));
  const results: Array<{ setting: Setting; m: Measured }> = [];
  for (const [i, setting] of SETTINGS.entries()) {
    const { label: _label, ...options } = setting;
    const bus = createKafkaBus({ ...base, ...options, prefix: `${base.prefix}_${i}` });
    if (bus.producerClient !== setting.producerClient) continue;
    await bus.ensureTopics();
    results.push({ setting, m: await timed(bus, sample) });
    await bus.deleteTopics().catch(() => undefined);
    await bus.disconnect();
  }
  const compat = await compatApi(sample, { ...base, prefix: `${base.prefix}_compat` });
  out(`  producer settings (idempotent, acks=all, ${sample.length.toLocaleString('en-US')} messages, sends of 10,000; wall rate, per CPU second of this process, per CPU second of the whole machine, broker included): `
    + `${results.map((r) => `${r.setting.label}: ${figures(sample.length, r.m)}`).join('; ')}`
    + `${compat ? `; librdkafka through its KafkaJS API, linger 5 ms none: ${figures(sample.length, compat)}` : ''}`);

  // All messages: kafkajs's best setting of this run, then the product's defaults (into the topics the sink stage reads).
  const kafkajsBest = results.filter((r) => r.setting.producerClient === 'kafkajs').sort((a, b) => a.m.ms - b.m.ms)[0];
  if (kafkajsBest) {
    const { label: _label, ...options } = kafkajsBest.setting;
    const bus = createKafkaBus({ ...base, ...options, prefix: `${base.prefix}_kafkajs` });
    await bus.ensureTopics();
    const m = await timed(bus, messages);
    await bus.deleteTopics().catch(() => undefined);
    await bus.disconnect();
    out(`produce to Kafka, kafkajs (${kafkajsBest.setting.label}): ${figures(messages.length, m)}  (${Math.round(m.ms)} ms)`);
  }
  const bus = createKafkaBus(base);
  await bus.ensureTopics();
  const { result: m, profile } = await profiled(() => timed(bus, messages));
  await bus.disconnect();
  const mb = messages.reduce((n, msg) => n + (msg.value?.length ?? 0), 0) / 1e6;
  out(`produce to Kafka (acks=all), the product's default (${bus.producerClient}): ${figures(messages.length, m)}  (${Math.round(m.ms)} ms, ${Math.round(mb / (m.ms / 1000))} MB/s)`);
  out(`  ${formatThreadCpu(m.cpu)}; profile: ${formatProfile(profile)}`);
  out(`  ${formatMachineCpu(messages.length, m.machineMs, m.cpu.totalMs)}`);
  return base;
}

/** librdkafka through the library's KafkaJS-compatible API, for comparison with the native API the product uses. */
async function compatApi(messages: KafkaMessage[], options: KafkaBusOptions): Promise<Measured | null> {
  let lib: typeof RdKafka;
  try {
    lib = createRequire(import.meta.url)('@confluentinc/kafka-javascript') as typeof RdKafka;
  } catch {
    return null;
  }
  const bus = createKafkaBus({ ...options, producerClient: 'kafkajs' });
  await bus.ensureTopics();
  const kafka = new lib.KafkaJS.Kafka({ kafkaJS: { brokers: options.brokers, logLevel: lib.KafkaJS.logLevel.NOTHING } });
  const producer = kafka.producer({ 'enable.idempotence': true, acks: -1, 'linger.ms': 5, 'batch.size': 1_000_000, partitioner: 'murmur2_random' });
  await producer.connect();
  const cpu = threadCpu();
  const machine = machineCpu();
  const t = performance.now();
  for (let i = 0; i < messages.length; i += 10_000) {
    await producer.send({ topic: bus.topics.audit, messages: messages.slice(i, i + 10_000).map((m) => ({ key: m.key, value: m.value })) });
  }
  const measured = { ms: performance.now() - t, cpu: cpu(), machineMs: machine() };
  await producer.disconnect();
  await bus.deleteTopics().catch(() => undefined);
  await bus.disconnect();
  return measured;
}
