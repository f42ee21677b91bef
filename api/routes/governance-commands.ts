import Type, { type Static } from 'typebox';
import type { ClickHouse } from '../../core/clickhouse.js';
import { AppwardenError } from '../../core/errors.js';
import { GOVERNANCE_COMMANDS, GOVERNANCE_LOG } from '../../processors/sink/catalogue/index.js';
import type { GovernanceCommand } from '../../schemas/types.js';
import { GOVERNANCE_STATUSES, type Provider } from '../../schemas/vocabulary.js';

// A command's fields are the catalogue's (`governance_commands`), with its latest step (`governance_log`) joined in.
const step = GOVERNANCE_LOG.apiSchema().properties;
export const CommandSchema = Type.Object({
  ...GOVERNANCE_COMMANDS.apiSchema().properties,
  status: Type.String({ description: GOVERNANCE_STATUSES.join(', ') }),
  updated_at: Type.String({ description: 'the time of the latest step (created_at while pending)' }),
  attempt: step.attempt!,
  message: step.message!,
  retriable: step.retriable!,
});

export const StepSchema = Type.Object({ status: step.status!, attempt: step.attempt!, at: step.at!, message: step.message!, retriable: step.retriable! });

export type Command = Static<typeof CommandSchema>;

/** A command row as `COMMANDS_SQL` selects it. */
export interface CommandRow {
  command_id: string; created_at: string; provider: string; instance: string; action: string;
  target_type: string; target_id: string; target_name: string | null; params: Record<string, string>;
  policy_id: string | null; alert_id: string | null; requested_by: string; mode: string; requires_approval: boolean | number;
  status: string; updated_at: string; attempt: number; message: string | null; retriable: boolean | number;
}

/**
 * Each command as asked, with its latest step from the log (a command no executor has picked up yet
 * is pending). Steps have strictly increasing times per command, so the latest one is unambiguous.
 */
export const COMMANDS_SQL = `
  SELECT c.command_id AS command_id, c.created_at AS created_at, c.provider AS provider, c.instance AS instance,
         c.action AS action, c.target_type AS target_type, c.target_id AS target_id, c.target_name AS target_name,
         c.params AS params, c.policy_id AS policy_id, c.alert_id AS alert_id, c.requested_by AS requested_by,
         c.mode AS mode, c.requires_approval AS requires_approval,
         if(l.command_id = '', 'pending', l.status) AS status,
         if(l.command_id = '', c.created_at, l.at) AS updated_at,
         if(l.command_id = '', 0, l.attempt) AS attempt,
         if(l.command_id = '', NULL, l.message) AS message,
         if(l.command_id = '', false, l.retriable) AS retriable
  FROM governance_commands AS c FINAL
  LEFT JOIN (
    SELECT command_id, status, at, attempt, message, retriable
    FROM governance_log FINAL
    ORDER BY command_id, at DESC
    LIMIT 1 BY command_id
  ) AS l ON l.command_id = c.command_id`;

/** The command with this id; none → AW_NOT_FOUND. */
export async function findCommand(clickhouse: ClickHouse, id: string): Promise<CommandRow> {
  const [row] = await clickhouse.query<CommandRow>(`SELECT * FROM (${COMMANDS_SQL}) WHERE command_id = {id:String} LIMIT 1`, { id });
  if (!row) throw new AppwardenError('AW_NOT_FOUND', `no governance command ${id}`, { details: { field: 'id' } });
  return row;
}

/** The command as it was published, rebuilt from its row. */
export function commandOf(row: CommandRow): GovernanceCommand {
  return {
    command_id: row.command_id,
    created_at: Date.parse(row.created_at),
    provider: row.provider as Provider,
    instance: row.instance,
    action: row.action,
    target: { type: row.target_type, id: row.target_id, name: row.target_name },
    params: row.params,
    policy_id: row.policy_id,
    alert_id: row.alert_id,
    requested_by: row.requested_by,
    mode: row.mode as GovernanceCommand['mode'],
    requires_approval: Boolean(row.requires_approval),
  };
}

/** The catalogue's API shape of the command's columns (target as an object, booleans), with its latest step. */
export function toCommand(row: CommandRow): Command {
  return {
    ...GOVERNANCE_COMMANDS.toApi(row as unknown as Record<string, unknown>),
    status: row.status, updated_at: row.updated_at, attempt: row.attempt, message: row.message, retriable: Boolean(row.retriable),
  } as Command;
}
