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

/** One task per stream the connector declares: a scan per snapshot stream, a poll per activity and change stream. */
export function instanceTasks(sources: InstanceTaskSources, unknownTypes: UnknownEventTypes, log: Logger): StreamTask[] {
  const { definition, instance, config, connector, cursors, publisher, dataDir } = sources;
  const ref = (stream: string) => ({ provider: definition.id, instance, stream });
  const { schedule } = config;
  const scanners = connector.snapshotStreams.map((s) => ({ s, scanner: new SnapshotScanner(
    ref(s.name), s, cursors, publisher, newStreamStatus(s.name, 'snapshot'), log, dataDir,
  ) }));
  return [
    ...scanners.map(({ s, scanner }) => scanTask(s.name, s, scanner, schedule)),
    ...connector.activityStreams.map((s) => pollTask('activities', s.name, s, new ActivityPoller(
      { ...ref(s.name), ...(s.timeZone ? { timeZone: s.timeZone } : {}) }, s, unknownTypes.counting(definition), config.activities, cursors, publisher, newStreamStatus(s.name, 'activities'), log,
    ), schedule.activitiesEveryMs)),
    ...(connector.changeStreams ?? []).map((s) => {
      // A feed's removals are checked against what the scan of the same topic saw.
      const scanner = scanners.find(({ scanner: scan }) => scan.topic === s.topic)?.scanner;
      return pollTask('changes', s.name, s, new ChangePoller(
        ref(s.name), s, cursors, publisher, newStreamStatus(s.name, 'changes'), log, scanner && ((ids) => scanner.known(ids)),
      ), schedule.changesEveryMs);
    }),
  ];
}
