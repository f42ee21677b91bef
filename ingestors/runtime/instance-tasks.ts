import type { InstanceConfig } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { ConnectorDefinition, ConnectorInstance } from '../contract.js';
import { ActivityPoller } from './activity-poller.js';
import { ChangePoller } from './change-poller.js';
import type { CursorStore } from './cursor-store.js';
import type { EventPublisher } from './publisher.js';
import { SnapshotScanner } from './snapshot-scanner.js';
import { newStreamStatus } from './stream-status.js';
import { pollTask, scanTask, type StreamTask } from './stream-task.js';
import type { UnknownEventTypes } from './unknown-event-types.js';

/** What the tasks of one instance are built from. */
export interface InstanceTaskSources {
  definition: ConnectorDefinition;
  instance: string;
  config: InstanceConfig;
  connector: ConnectorInstance;
  cursors: CursorStore;
  publisher: EventPublisher;
  /** Where the scans keep what they saw, to find deletions (`<dataDir>/scans`). */
  dataDir: string;
}

/**
 * One task per stream the connector declares: a scan per snapshot stream, a poll per activity and change
 * stream. A change stream is covered by the scan of its topic: the feed's removals are checked against
 * what that scan saw, and when the feed restarts from the present the scan runs early (`wake` wakes
 * the lanes so that it starts at once).
 */
export function instanceTasks(sources: InstanceTaskSources, unknownTypes: UnknownEventTypes, log: Logger, wake: () => void = () => undefined): StreamTask[] {
  const { definition, instance, config, connector, cursors, publisher, dataDir } = sources;
  const ref = (stream: string) => ({ provider: definition.id, instance, stream });
  const { schedule } = config;
  const scanners = connector.snapshotStreams.map((s) => ({ s, scanner: new SnapshotScanner(
    ref(s.name), s, cursors, publisher, newStreamStatus(s.name, 'snapshot'), log, dataDir,
  ) }));
  const feeds = (connector.changeStreams ?? []).map((s) => {
    const covering = scanners.find(({ scanner }) => scanner.topic === s.topic);
    return { covering, poller: new ChangePoller(ref(s.name), s, cursors, publisher, newStreamStatus(s.name, 'changes'), log, covering ? {
      name: covering.s.name, known: (ids) => covering.scanner.known(ids), wanted: wake,
    } : null) };
  });
  // The latest restart of the feeds a scan covers: a complete scan that started before it is not enough.
  const restartOfFeeds = (scan: (typeof scanners)[number]) => (): number | null => {
    const times = feeds.filter((f) => f.covering === scan).map((f) => f.poller.rescanWantedAt()).filter((t): t is number => t !== null);
    return times.length > 0 ? Math.max(...times) : null;
  };
  return [
    ...scanners.map((scan) => scanTask(scan.s.name, scan.s, scan.scanner, schedule, restartOfFeeds(scan))),
    ...connector.activityStreams.map((s) => pollTask('activities', s.name, s, new ActivityPoller(
      { ...ref(s.name), ...(s.timeZone ? { timeZone: s.timeZone } : {}) }, s, unknownTypes.counting(definition), config.activities, cursors, publisher, newStreamStatus(s.name, 'activities'), log,
    ), schedule.activitiesEveryMs)),
    ...feeds.map(({ poller }) => pollTask('changes', poller.name, poller.stream, poller, schedule.changesEveryMs)),
  ];
}
