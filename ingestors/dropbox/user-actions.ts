import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler, ActionTarget, ActionVerb } from '../contract.js';
import { arr, obj, str, type Json } from '../runtime/json-fields.js';
import { memberSelector, type DropboxClient } from './client.js';
import { tagOf } from './event-types.js';

type Params = Readonly<Record<string, string>>;

export function badRequest(message: string, details: Record<string, unknown> = {}): AppwardenError {
  return new AppwardenError('AW_BAD_REQUEST', `dropbox: ${message}`, { details });
}

/** A parameter by its name (`appId`), also accepted in snake case (`app_id`). */
export function param(params: Params, name: string): string | undefined {
  const value = params[name] ?? params[name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
  return value === undefined || value === '' ? undefined : value;
}

/** The member a user target names: its team_member_id, or an email address. */
function userSelector(target: ActionTarget, verb: ActionVerb): Json {
  if (target.type !== 'user') throw badRequest(`${verb} applies to a user, not a ${target.type}`, { target });
  return target.id.includes('@') ? { '.tag': 'email', email: target.id } : memberSelector(target.id);
}

/** The member's profile (`members/get_info_v2`), or null when the team has no such member. */
async function profileOf(client: DropboxClient, selector: Json): Promise<Json | null> {
  const res = await client.rpc<Json>('team/members/get_info_v2', { members: [selector] });
  const info = obj(arr(res.members_info)[0]);
  return tagOf(info) === 'member_info' ? obj(info?.profile) : null;
}

async function requireProfile(client: DropboxClient, target: ActionTarget, verb: ActionVerb): Promise<Json> {
  const profile = await profileOf(client, userSelector(target, verb));
  if (profile === null) throw badRequest(`${verb}: the team has no member ${target.id}`, { id: target.id });
  return profile;
}

const SESSION_KINDS = [
  ['active_web_sessions', 'web_session'],
  ['desktop_client_sessions', 'desktop_client'],
  ['mobile_client_sessions', 'mobile_client'],
] as const;

/** The member's web, desktop and mobile sessions (`team/devices/list_member_devices`) as `RevokeDeviceSessionArg`s. */
async function sessionsOf(client: DropboxClient, teamMemberId: string): Promise<Json[]> {
  const res = await client.rpc<Json>('team/devices/list_member_devices', {
    team_member_id: teamMemberId, include_web_sessions: true, include_desktop_clients: true, include_mobile_clients: true,
  });
  return SESSION_KINDS.flatMap(([key, tag]) => arr(res[key]).map(obj).filter((s) => str(s?.session_id) !== null).map((s) => ({
    '.tag': tag, session_id: str(s!.session_id), team_member_id: teamMemberId, ...(tag === 'desktop_client' ? { delete_on_unlink: false } : {}),
  })));
}

/** The app and member of an app_grant target (`<team_member_id>/<app_id>`), or a user target with `params.appId`. */
function linkedAppOf(target: ActionTarget, params: Params): { teamMemberId: string; appId: string } {
  if (target.type === 'app_grant') {
    const cut = target.id.indexOf('/');
    if (cut > 0) return { teamMemberId: target.id.slice(0, cut), appId: target.id.slice(cut + 1) };
  }
  const appId = param(params, 'appId');
  if (target.type === 'user' && appId !== undefined) return { teamMemberId: target.id, appId };
  throw badRequest('revoke_app_grant applies to an app_grant <team_member_id>/<app_id> (its grant_id), or a user with params.appId', { target });
}

async function linkedApps(client: DropboxClient, teamMemberId: string): Promise<string[]> {
  const res = await client.rpc<Json>('team/linked_apps/list_member_linked_apps', { team_member_id: teamMemberId });
  return arr(res.linked_api_apps).map((a) => str(obj(a)?.app_id)).filter((id): id is string => id !== null);
}

/** Suspend, unsuspend, sign out everywhere, and unlink an app, through the team endpoints (no Select-User). */
export function userActions(client: DropboxClient) {
  const status = (suspended: boolean, verb: ActionVerb, inverse: ActionVerb): ActionHandler => ({
    inverse,
    permission: 'members.write',
    async run(target) {
      const profile = await requireProfile(client, target, verb);
      const current = tagOf(profile.status);
      if ((current === 'suspended') === suspended) return { status: 'noop', message: `the member is already ${current}` };
      const user = memberSelector(String(profile.team_member_id));
      const answer = await client.call(suspended ? 'team/members/suspend' : 'team/members/unsuspend', suspended ? { user, wipe_data: false } : { user });
      if (!answer.ok) {
        if (answer.summary === 'suspend_inactive_user' || answer.summary === 'unsuspend_non_suspended_member') return { status: 'noop', message: answer.summary };
        throw badRequest(`${verb} failed: ${answer.summary}`, { id: target.id });
      }
      return { status: 'applied', message: suspended ? 'member suspended (their data kept)' : 'member active again' };
    },
    async verify(target) {
      const profile = await profileOf(client, userSelector(target, verb));
      return profile !== null && (tagOf(profile.status) === 'suspended') === suspended;
    },
  });

  return {
    suspend_user: status(true, 'suspend_user', 'unsuspend_user'),
    unsuspend_user: status(false, 'unsuspend_user', 'suspend_user'),

    revoke_sessions: {
      permission: 'sessions.modify',
      async run(target) {
        const profile = await requireProfile(client, target, 'revoke_sessions');
        const sessions = await sessionsOf(client, String(profile.team_member_id));
        if (sessions.length === 0) return { status: 'noop', message: 'the member has no web, desktop or mobile session' };
        const res = await client.rpc<Json>('team/devices/revoke_device_session_batch', { revoke_devices: sessions });
        const failed = arr(res.revoke_devices_status).map(obj).filter((s) => s?.success !== true).length;
        if (failed > 0) throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', `dropbox: ${failed} of ${sessions.length} sessions could not be revoked`, { details: { id: target.id } });
        return { status: 'applied', message: `${sessions.length} session(s) revoked (web sessions, desktop and mobile clients)` };
      },
      async verify(target) {
        const profile = await requireProfile(client, target, 'revoke_sessions');
        return (await sessionsOf(client, String(profile.team_member_id))).length === 0;
      },
    },

    revoke_app_grant: {
      permission: 'sessions.modify',
      async run(target, params) {
        const { teamMemberId, appId } = linkedAppOf(target, params);
        const answer = await client.call('team/linked_apps/revoke_linked_app', { app_id: appId, team_member_id: teamMemberId, keep_app_folder: true });
        if (!answer.ok) {
          if (answer.summary === 'app_not_found') return { status: 'noop', message: 'the app is not linked' };
          throw badRequest(`revoke_app_grant failed: ${answer.summary}`, { id: target.id });
        }
        return { status: 'applied', message: 'app unlinked (its app folder kept)' };
      },
      async verify(target, params) {
        const { teamMemberId, appId } = linkedAppOf(target, params);
        return !(await linkedApps(client, teamMemberId)).includes(appId);
      },
    },
  } satisfies Record<string, ActionHandler>;
}
